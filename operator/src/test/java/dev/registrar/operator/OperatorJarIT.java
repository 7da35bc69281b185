package dev.registrar.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.testing.OperatorProcess;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import dev.registrar.testing.net.TcpProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar the build ships: its help, its start-up errors, a real start and a clean stop.
 * Each case is a process of its own with its own ports and files, mostly waiting (for a 10 s
 * deadline, a Kubernetes API that never answers): they run side by side.
 */
@Execution(ExecutionMode.CONCURRENT)
class OperatorJarIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  @TempDir
  Path dir;

  private String runToEnd(List<String> jvmOptions, List<String> args, Map<String, String> env) {
    try (OperatorProcess process = OperatorProcess.launch(jvmOptions, args, env, dir.resolve("out.log"))) {
      Integer code = process.awaitExit(Duration.ofSeconds(60)).orElseThrow(
          () -> new AssertionError("still running after 60 s:\n" + process.log()));
      return code + "\n" + process.log();
    }
  }

  @Test
  void helpPrintsEverySetting() {
    assertThat(runToEnd(List.of(), List.of("--help"), Map.of()))
        .startsWith("0\nUsage: java -jar registrar-operator.jar")
        .contains("REGISTRAR_ETCD_ENDPOINTS", "REGISTRAR_KEY_PREFIX", "REGISTRAR_HTTP_PORT");
  }

  @Test
  void aMissingEndpointExitsWithCode2AndOneClearLine() {
    assertThat(runToEnd(List.of(), List.of(), Map.of())).isEqualTo(
        "2\nregistrar: invalid configuration: --etcd-endpoints (REGISTRAR_ETCD_ENDPOINTS): is required\n");
  }

  /** As the image runs without a cluster: no kubeconfig, not in a pod. */
  @Test
  void noKubernetesApiExitsWithCode3AndOneLineNamingTheUrlAndWhereItCameFrom() {
    long start = System.nanoTime();
    String out = runToEnd(List.of("-Duser.home=" + dir), List.of(),
        Map.of("REGISTRAR_ETCD_ENDPOINTS", ETCD.endpointList()));
    long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
    assertThat(out).startsWith("3\n");
    assertThat(out.lines().skip(1).toList()).singleElement().asString()
        .startsWith("registrar: cannot reach the Kubernetes API at https://kubernetes.default.svc/ (from fabric8's default: "
            + "no kubeconfig (KUBECONFIG unset, ~/.kube/config absent) and not running in a pod): ")
        .contains("UnresolvedAddressException");
    System.out.printf("no Kubernetes API: exit 3 after %d s, one line%n", seconds);
  }

  @Test
  void aKubeconfigPointingNowhereIsNamedWithItsContext() throws Exception {
    int closedPort = OperatorProcess.freePort();
    Path kubeconfig;
    try (MockKubernetesApi api = MockKubernetesApi.start()) {
      kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), "default");
    }
    java.nio.file.Files.writeString(kubeconfig, java.nio.file.Files.readString(kubeconfig)
        .replaceFirst("server: http://[^\\n]+", "server: http://127.0.0.1:" + closedPort));
    String out = runToEnd(List.of(), List.of(), Map.of("KUBECONFIG", kubeconfig.toString(),
        "REGISTRAR_ETCD_ENDPOINTS", ETCD.endpointList()));
    assertThat(out).startsWith("3\n");
    assertThat(out.lines().skip(1).toList()).singleElement().asString()
        .startsWith("registrar: cannot reach the Kubernetes API at http://127.0.0.1:" + closedPort
            + "/ (from kubeconfig " + kubeconfig + ", context mock): ")
        .contains("ConnectException");
  }

  @Test
  void startsAgainstAKubeconfigAndEtcdServesHealthzAndExitsZeroOnSigterm() {
    try (MockKubernetesApi api = MockKubernetesApi.start();
         OperatorProcess operator = OperatorProcess.launch(List.of(), Map.of(
             "KUBECONFIG", api.writeKubeconfig(dir.resolve("kubeconfig"), "default").toString(),
             "REGISTRAR_ETCD_ENDPOINTS", ETCD.endpointList()), dir.resolve("operator.log"))) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(operator.isAlive()).withFailMessage(() -> "operator exited:\n" + operator.log()).isTrue();
        assertThat(operator.get("/healthz")).isEqualTo(200);
        assertThat(operator.get("/readyz")).isEqualTo(200);
      });
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(operator.log()).contains("Registrar started"));
      operator.sigterm();
      assertThat(operator.awaitExit(Duration.ofSeconds(5))).as("exit code within 5 s of SIGTERM").contains(0);
      assertThat(operator.log()).contains("Stopping Registrar (signal)", "Registrar stopped").doesNotContain("Exception");
    }
  }

  @Test
  void anUnreachableEtcdAtStartIsSaidPlainlyFirstAndIsNotFatal() {
    try (MockKubernetesApi api = MockKubernetesApi.start();
         OperatorProcess operator = OperatorProcess.launch(List.of(), Map.of(
             "KUBECONFIG", api.writeKubeconfig(dir.resolve("kubeconfig"), "default").toString(),
             "REGISTRAR_ETCD_ENDPOINTS", "http://127.0.0.1:" + OperatorProcess.freePort()), dir.resolve("operator.log"))) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(operator.isAlive()).withFailMessage(() -> "operator exited:\n" + operator.log()).isTrue();
        assertThat(operator.get("/healthz")).isEqualTo(200);
        assertThat(operator.log()).contains("Registrar started");
      });
      assertThat(operator.get("/readyz")).isEqualTo(503);
      assertThat(operator.log().lines().findFirst()).hasValueSatisfying(first -> assertThat(first)
          .contains("WARN", "etcd is not reachable at [http://127.0.0.1:", "starting anyway"));
      operator.sigterm();
      assertThat(operator.awaitExit(Duration.ofSeconds(5))).contains(0);
    }
  }

  /** A valid configuration that cannot start: the HTTP port is taken. Exit 1, one line naming it. */
  @Test
  void aTakenHttpPortExitsWithCode1AndOneLineNamingIt() throws Exception {
    try (MockKubernetesApi api = MockKubernetesApi.start();
         java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      String out = runToEnd(List.of(), List.of(), Map.of(
          "KUBECONFIG", api.writeKubeconfig(dir.resolve("kubeconfig"), "default").toString(),
          "REGISTRAR_ETCD_ENDPOINTS", ETCD.endpointList(),
          "REGISTRAR_HTTP_PORT", Integer.toString(taken.getLocalPort())));
      assertThat(out).startsWith("1\n");
      assertThat(out.lines().filter(line -> line.startsWith("registrar:")).toList()).as(out).singleElement().asString()
          .isEqualTo("registrar: could not start: UncheckedIOException: cannot listen on HTTP port " + taken.getLocalPort()
              + " caused by BindException: Address already in use");
      assertThat(out).doesNotContain("\tat ");
    }
  }

  /**
   * A stop that cannot finish (the API server stops answering while the leader releases its
   * Lease) halts the process after 10 s with exit 1, so that the pod never hangs until SIGKILL.
   */
  @Test
  void aStopThatHangsHaltsAfter10SecondsWithCode1() throws Exception {
    try (MockKubernetesApi api = MockKubernetesApi.startWithLeaderElection(); TcpProxy proxy = TcpProxy.inFrontOf(api.url())) {
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), "default");
      java.nio.file.Files.writeString(kubeconfig, java.nio.file.Files.readString(kubeconfig)
          .replaceFirst("server: http://[^\\n]+", "server: " + proxy.url()));
      // fabric8's request timeout longer than the stop deadline: the release waits for an answer.
      try (OperatorProcess operator = OperatorProcess.launch(List.of("-Dkubernetes.request.timeout=60000"), List.of(),
          Map.of("KUBECONFIG", kubeconfig.toString(), "REGISTRAR_ETCD_ENDPOINTS", ETCD.endpointList(),
              "REGISTRAR_LEADER_ELECTION", "true"), dir.resolve("operator.log"))) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          assertThat(operator.isAlive()).withFailMessage(() -> "operator exited:\n" + operator.log()).isTrue();
          assertThat(operator.log()).contains("leading as");
        });
        proxy.silence();
        long start = System.nanoTime();
        operator.sigterm();
        assertThat(operator.awaitExit(Duration.ofSeconds(30))).as("exit code after a stuck stop").contains(1);
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertThat(seconds).isBetween(10L, 20L);
        assertThat(operator.log()).contains("Stopping Registrar (signal)", "Registrar did not stop within 10 s; halting")
            .doesNotContain("Registrar stopped");
        System.out.printf("a stuck stop: exit 1 after %d s%n", seconds);
      }
    }
  }
}
