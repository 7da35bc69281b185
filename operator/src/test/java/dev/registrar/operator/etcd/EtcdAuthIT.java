package dev.registrar.operator.etcd;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.CoreScenario;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.etcd.EtcdCluster;
import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.fabric8.kubernetes.api.model.Condition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd with authentication enabled, and a role that grants the operator's user readwrite on the
 * registry prefix and the claims prefix only: the docs/security.md setup, done with jetcd.
 */
class EtcdAuthIT {

  static final String PASSWORD = "s3cret-registrar";
  static EtcdCluster etcd;
  static Client root;

  @TempDir
  static Path dir;

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, UTF_8);
  }

  @BeforeAll
  static void enableAuth() throws Exception {
    etcd = EtcdCluster.singleMember().start();
    Auth auth = etcd.client().getAuthClient();
    auth.userAdd(bytes("root"), bytes("root-password")).get(5, TimeUnit.SECONDS);
    auth.roleAdd(bytes("root")).get(5, TimeUnit.SECONDS);
    auth.userGrantRole(bytes("root"), bytes("root")).get(5, TimeUnit.SECONDS);
    auth.roleAdd(bytes("registrar")).get(5, TimeUnit.SECONDS);
    // A prefix range is [prefix, prefix with its last byte + 1): "/services/" .. "/services0".
    auth.roleGrantPermission(bytes("registrar"), bytes("/services/"), bytes("/services0"),
        Permission.Type.READWRITE).get(5, TimeUnit.SECONDS);
    auth.roleGrantPermission(bytes("registrar"), bytes("/registrar/claims/"), bytes("/registrar/claims0"),
        Permission.Type.READWRITE).get(5, TimeUnit.SECONDS);
    auth.userAdd(bytes("registrar"), bytes(PASSWORD)).get(5, TimeUnit.SECONDS);
    auth.userGrantRole(bytes("registrar"), bytes("registrar")).get(5, TimeUnit.SECONDS);
    auth.authEnable().get(5, TimeUnit.SECONDS);
    root = etcd.clientBuilder().user(bytes("root")).password(bytes("root-password")).build();
  }

  @AfterAll
  static void stop() {
    if (root != null) {
      root.close();
    }
    etcd.close();
  }

  static Path passwordFile(String name, String password) throws Exception {
    return Files.writeString(dir.resolve(name), password + "\n");
  }

  @Test
  void theCoreLoopWorksWithARoleLimitedToThePrefixes() throws Exception {
    try (MockKubernetesApi api = MockKubernetesApi.start();
         RunningOperator operator = RunningOperator.start(api, etcd.endpointList(),
             "--etcd-username", "registrar",
             "--etcd-password-file", passwordFile("password", PASSWORD).toString())) {
      CoreScenario.run(api.client(), new EtcdView(root), "shop", "auth-orders");
    }
  }

  @Test
  void theRoleIsReallyInForce() throws Exception {
    try (Client registrar = etcd.clientBuilder().user(bytes("registrar")).password(bytes(PASSWORD)).build()) {
      registrar.getKVClient().put(bytes("/services/probe/10.0.0.1:80"), bytes("{}")).get(5, TimeUnit.SECONDS);
      assertThatThrownBy(() -> registrar.getKVClient().put(bytes("/elsewhere/x"), bytes("x")).get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("permission denied");
      assertThatThrownBy(() -> registrar.getKVClient().put(bytes("/servicesX"), bytes("x")).get(5, TimeUnit.SECONDS))
          .hasMessageContaining("permission denied");
    }
  }

  @Test
  void aWrongPasswordIsReportedAsSuchAndTheOperatorKeepsRunning() throws Exception {
    try (MockKubernetesApi api = MockKubernetesApi.start();
         RunningOperator operator = RunningOperator.start(api, etcd.endpointList(),
             "--etcd-username", "registrar",
             "--etcd-password-file", passwordFile("wrong", "not-the-password").toString())) {
      api.client().resource(pod("shop", "wrong-1", "10.9.0.1", Map.of("app", "wrong"), true)).create();
      api.client().resource(registration("shop", "wrong", "wrong", Map.of("app", "wrong"), PortSpec.number("http", 80))).create();

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        ServiceRegistration current = api.client().resources(ServiceRegistration.class).inNamespace("shop").withName("wrong").get();
        assertThat(current.getStatus()).isNotNull();
        Condition ready = current.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("EtcdUnavailable");
        assertThat(ready.getMessage()).contains("etcd rejected the operator's credentials (authentication failed)")
            .doesNotContain("not-the-password").doesNotContain("Exception");
      });
      HttpResponse<String> health = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort() + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(new EtcdView(root).values("/services/wrong/")).isEmpty();
    }
  }
}
