package dev.registrar.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.operator.config.ConfigLoader;
import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.etcd.EtcdClientFactory;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator starts against an API server, registers its controller and serves /healthz and /readyz. */
class RegistrarOperatorMockTest {

  @Test
  void startsAgainstTheApiServerAndServesHealthz() throws Exception {
    try (MockKubernetesApi api = MockKubernetesApi.start()) {
      // etcd is not contacted at start: an unreachable endpoint must not stop the operator.
      RegistrarConfig config = ConfigLoader.load(
          List.of("--etcd-endpoints", "http://127.0.0.1:9", "--http-port", "0",
              "--watch-namespaces", "shop"), Map.of());
      try (RegistrarOperator operator =
               new RegistrarOperator(config, api.client(), EtcdClientFactory.create(config))) {
        operator.start();

        HttpResponse<String> health = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort() + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");

        HttpResponse<String> post = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort() + "/healthz"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);

        // Nothing listens on port 9: ready only once etcd answers.
        HttpResponse<String> ready = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort() + "/readyz")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).startsWith("not ready: etcd unreachable since ");
      }
    }
  }
}
