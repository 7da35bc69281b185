package dev.registrar.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.testing.kubernetes.MockKubernetesApi;
import dev.registrar.testing.etcd.EtcdExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The runnable jar the build ships: its help, its config errors, and a real start. */
class OperatorJarIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final Path JAR = RepoPaths.moduleDir().resolve("target/registrar-operator.jar");

  @TempDir
  Path dir;

  private Process launch(List<String> args, Map<String, String> env, Path log) throws IOException {
    assertThat(JAR).withFailMessage("%s was not built: run ./mvnw package first", JAR).exists();
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("REGISTRAR_") || k.equals("KUBECONFIG"));
    builder.environment().putAll(env);
    return builder.start();
  }

  private String runToEnd(List<String> args) throws Exception {
    Path log = dir.resolve("out.log");
    Process process = launch(args, Map.of(), log);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return process.exitValue() + "\n" + Files.readString(log, StandardCharsets.UTF_8);
  }

  @Test
  void helpPrintsEverySetting() throws Exception {
    assertThat(runToEnd(List.of("--help")))
        .startsWith("0\nUsage: java -jar registrar-operator.jar")
        .contains("REGISTRAR_ETCD_ENDPOINTS", "REGISTRAR_KEY_PREFIX", "REGISTRAR_HTTP_PORT");
  }

  @Test
  void aMissingEndpointExitsWithCode2AndOneClearLine() throws Exception {
    assertThat(runToEnd(List.of())).isEqualTo(
        "2\nregistrar: invalid configuration: --etcd-endpoints (REGISTRAR_ETCD_ENDPOINTS): is required\n");
  }

  @Test
  void startsAgainstAKubeconfigAndEtcdAndServesHealthz() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (MockKubernetesApi api = MockKubernetesApi.start()) {
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), "default");
      Path log = dir.resolve("operator.log");
      Process operator = launch(List.of(), Map.of(
          "KUBECONFIG", kubeconfig.toString(),
          "REGISTRAR_ETCD_ENDPOINTS", ETCD.endpointList(),
          "REGISTRAR_HTTP_PORT", Integer.toString(port)), log);
      try {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
          assertThat(operator.isAlive()).withFailMessage(() -> "operator exited:\n" + read(log)).isTrue();
          HttpResponse<String> response = http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).isEqualTo(200);
        });
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(read(log)).contains("Registrar started"));
      } finally {
        operator.destroy();
        assertThat(operator.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(read(log)).contains("Stopping Registrar").doesNotContain("Exception");
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }
}
