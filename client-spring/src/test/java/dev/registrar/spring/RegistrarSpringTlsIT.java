package dev.registrar.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.etcd.TlsFiles;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.GetOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

/** The tls.* properties against an etcd that requires TLS and a client certificate. */
class RegistrarSpringTlsIT {

  @RegisterExtension
  static final EtcdExtension etcd = EtcdExtension.singleMember().withClientTls();

  @Test
  void anAppRegistersAndDiscoversOverMutualTls() throws Exception {
    TlsFiles tls = etcd.etcd().tls();
    try (ConfigurableApplicationContext app = TestApps.run(TestApps.Provider.class, etcd.endpointList(),
        "spring.application.name=secure", "app.name=secure",
        "spring.cloud.registrar.tls.ca-file=" + tls.ca(),
        "spring.cloud.registrar.tls.cert-file=" + tls.clientCert(),
        "spring.cloud.registrar.tls.key-file=" + tls.clientKey(),
        "spring.cloud.registrar.registration.deregistration-delay=0")) {
      assertThat(etcd.endpointList()).startsWith("https://");
      assertThat(etcd.client().getKVClient().get(ByteSequence.from("/services/secure/", UTF_8),
          GetOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS).getKvs()).hasSize(1);
      // The discovery client's view follows etcd's watch: the app's own registration, put at
      // startup, may reach it a moment after its first read.
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(app.getBean(DiscoveryClient.class).getInstances("secure")).hasSize(1));
    }
  }
}
