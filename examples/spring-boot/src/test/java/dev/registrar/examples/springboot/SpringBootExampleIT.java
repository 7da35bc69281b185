package dev.registrar.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.examples.springboot.consumer.ConsumerApplication;
import dev.registrar.examples.springboot.provider.ProviderApplication;
import dev.registrar.testing.etcd.EtcdExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Smoke test: the provider registers itself, the consumer calls it by name, and stops finding it once it is closed. */
class SpringBootExampleIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static ConfigurableApplicationContext start(Class<?> app, String config) {
    return new SpringApplicationBuilder(app).properties("spring.config.name=" + config).run("--server.port=0",
        "--spring.cloud.registrar.endpoints=" + ETCD.endpointList(),
        "--spring.cloud.registrar.registration.host=127.0.0.1");
  }

  static HttpResponse<String> get(ConfigurableApplicationContext app, String path) throws Exception {
    String port = app.getEnvironment().getProperty("local.server.port");
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theConsumerCallsTheProviderByName() throws Exception {
    try (ConfigurableApplicationContext consumer = start(ConsumerApplication.class, "consumer")) {
      ConfigurableApplicationContext provider = start(ProviderApplication.class, "provider");
      String port = provider.getEnvironment().getProperty("local.server.port");
      await().atMost(Duration.ofSeconds(10)).until(() -> get(consumer, "/greet").statusCode() == 200);
      assertThat(get(consumer, "/greet").body()).isEqualTo("hello from greeter at 127.0.0.1:" + port);

      provider.close();
      HttpResponse<String> after = get(consumer, "/greet");
      assertThat(after.statusCode()).isEqualTo(503);
      assertThat(after.body()).isEqualTo("no greeter is registered\n");
    }
  }
}
