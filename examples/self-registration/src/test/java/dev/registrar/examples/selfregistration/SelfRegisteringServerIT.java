package dev.registrar.examples.selfregistration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.testing.etcd.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Smoke test: the example registers itself once it serves, and is gone at once on SIGTERM. */
class SelfRegisteringServerIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  List<KeyValue> kvs(String key) throws Exception {
    return ETCD.client().getKVClient().get(ByteSequence.from(key, UTF_8)).get(5, TimeUnit.SECONDS).getKvs();
  }

  @Test
  void registersWhileServingAndDeregistersAtOnceOnSigterm() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String key = "/services/hello/127.0.0.1:" + port;
    Process server = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), SelfRegisteringServer.class.getName(),
        ETCD.endpointList(), "hello", "127.0.0.1", Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> !kvs(key).isEmpty());
      // Registered means serving.
      HttpResponse<String> hello = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(hello.body()).isEqualTo("hello\n");
      long lease = kvs(key).get(0).getLease();

      long sent = System.nanoTime();
      server.destroy();
      assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
      // Deleted by the process on its way out, not left to the 30 s TTL.
      assertThat(kvs(key)).isEmpty();
      assertThat(ETCD.client().getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS).getTTL())
          .isEqualTo(-1);
      System.out.printf("self-registration: key gone and lease revoked %d ms after SIGTERM%n",
          Duration.ofNanos(System.nanoTime() - sent).toMillis());
    } finally {
      server.destroyForcibly();
    }
  }
}
