package dev.registrar.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.testing.kubernetes.ControlPlane;
import dev.registrar.testing.kubernetes.KubeletRules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive sandbox driven as its printed instructions say, with the real kubectl and
 * etcdctl binaries: on the real control plane, apply the sandbox examples, read the printer
 * columns, flip a pod unready, delete a pod, apply the Deployment quick start and roll it, delete
 * the registration, checking etcd after each step; then stop it and look for leftovers. The name
 * policy's steps run on the mock server.
 */
class SandboxKubectlIT {

  static final Path EXAMPLES = Path.of("..", "examples", "sandbox").toAbsolutePath().normalize();
  static final Path QUICKSTART = Path.of("..", "examples", "quickstart").toAbsolutePath().normalize();

  @TempDir
  Path kubectlCache;

  private String kubeconfig;
  private String etcdEndpoints;

  @Test
  void kubectlAndEtcdctlDriveTheSandboxOnTheRealControlPlaneAndStoppingLeavesNothingBehind() {
    ControlPlane.locate(); // fails with the build command when it is not built
    try (SandboxProcess sandbox = SandboxProcess.start()) {
      sandbox.awaitOutput("Ctrl-C stops everything", Duration.ofSeconds(60));
      assertThat(sandbox.output()).contains("Kubernetes API: the real control plane");
      kubeconfig = sandbox.find("export KUBECONFIG=(\\S+)");
      etcdEndpoints = sandbox.find("etcdctl --endpoints (\\S+)");
      Path workDir = Path.of(sandbox.find("sandbox files +(\\S+)"));
      Path etcdDir = Path.of(sandbox.find("data in (\\S+)\\)"));
      assertThat(workDir).isDirectory();
      assertThat(etcdDir).isDirectory();

      assertThat(kubectl("apply", "-f", EXAMPLES.toString()))
          .contains("pod/web-1 created", "pod/web-2 created", "pod/web-3 created",
              "serviceregistration.registrar.dev/web created");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(keys()).containsExactlyInAnyOrder(key("web-1"), key("web-2"), key("web-3")));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(kubectl("get", "svcreg", "web", "-o", "jsonpath={.status.registeredEndpoints}")).isEqualTo("3"));
      // The CRD's printer columns, from the API server's table printer.
      String table = kubectl("get", "svcreg");
      assertThat(table.lines().toList().get(0).split("\\s+")).containsExactly("NAME", "SERVICE", "READY", "ENDPOINTS", "AGE");
      assertThat(table.lines().toList().get(1).split("\\s+")).startsWith("web", "web", "True", "3");

      String leaseId = kubectl("get", "svcreg", "web", "-o", "jsonpath={.status.leaseId}");
      String lease = etcdctl("lease", "timetolive", "--keys", leaseId);
      assertThat(lease).contains("granted with TTL(30s)", "/registrar/claims/web", key("web-1"));
      System.out.println("$ kubectl get svcreg\n" + table);
      System.out.println("$ etcdctl get --prefix /services/\n" + etcdctl("get", "--prefix", "/services/"));
      System.out.println("$ etcdctl lease timetolive --keys " + leaseId + "\n" + lease);

      String web2 = key("web-2");
      assertThat(kubectl("annotate", "pod", "web-2", KubeletRules.READY_ANNOTATION + "=false", "--overwrite"))
          .contains("pod/web-2 annotated");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(keys()).containsExactlyInAnyOrder(key("web-1"), key("web-3")).doesNotContain(web2));

      String web3 = key("web-3");
      assertThat(kubectl("delete", "pod", "web-3")).contains("pod \"web-3\" deleted");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(keys()).containsExactly(key("web-1")).doesNotContain(web3));

      // The Deployment quick start, as README's next steps say: its Pods registered, then rolled.
      assertThat(kubectl("apply", "-f", QUICKSTART.toString()))
          .contains("deployment.apps/orders created", "serviceregistration.registrar.dev/orders created");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(keys("orders")).hasSize(3));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(kubectl("get", "svcreg", "orders").lines().toList().get(1).split("\\s+"))
              .startsWith("orders", "orders", "True", "3"));
      // A watch, which the mock server could not serve: it prints the table, then waits for changes.
      assertThat(kubectl("get", "svcreg", "orders", "-w", "--request-timeout=2s").lines().toList().get(1).split("\\s+"))
          .startsWith("orders", "orders", "True", "3");
      System.out.println("$ kubectl get svcreg\n" + kubectl("get", "svcreg"));
      System.out.println("$ kubectl get pods -o wide\n" + kubectl("get", "pods", "-o", "wide"));
      List<String> before = keys("orders");
      kubectl("rollout", "restart", "deployment/orders");
      assertThat(kubectl("rollout", "status", "deployment/orders", "--timeout=60s"))
          .contains("deployment \"orders\" successfully rolled out");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(keys("orders")).hasSize(3).doesNotContainAnyElementsOf(before));

      assertThat(kubectl("delete", "svcreg", "web")).contains("deleted");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(keys()).isEmpty();
        assertThat(etcdctl("get", "--prefix", "/registrar/claims/web", "--keys-only").strip()).isEmpty();
        assertThat(etcdctl("lease", "timetolive", leaseId)).contains("already expired");
      });

      List<ProcessHandle> children = sandbox.descendants();
      assertThat(children).as("the sandbox's etcd").isNotEmpty();
      sandbox.terminate();
      assertThat(sandbox.awaitExit(Duration.ofSeconds(30))).as(sandbox.output()).isPresent();
      assertThat(sandbox.output()).contains("Sandbox stopped; removed " + workDir);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(children).noneMatch(ProcessHandle::isAlive));
      assertThat(workDir).doesNotExist();
      assertThat(etcdDir).doesNotExist();
    }
  }

  @Test
  void withTheAnnotationPolicyTheNameIsRefusedUntilTheNamespaceGrantsItAsThePrintedStepsSay() {
    try (SandboxProcess sandbox = SandboxProcess.start("--api", "mock", "--name-policy", "namespace-annotation")) {
      sandbox.awaitOutput("Ctrl-C stops everything", Duration.ofSeconds(60));
      kubeconfig = sandbox.find("export KUBECONFIG=(\\S+)");
      etcdEndpoints = sandbox.find("etcdctl --endpoints (\\S+)");
      assertThat(sandbox.output()).contains("name policy namespace-annotation");

      assertThat(kubectl("apply", "--validate=false", "-f", EXAMPLES.toString()))
          .contains("serviceregistration.registrar.dev/web created");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(kubectl("get", "svcreg", "-o", "custom-columns=" + SandboxMain.Columns.SVCREG))
              .contains("web", "False", "NameNotAllowed"));
      assertThat(keys()).isEmpty();

      // The command the sandbox printed, as printed.
      String annotate = sandbox.find("  (kubectl annotate namespace \\S+ \\S+)");
      assertThat(kubectl(annotate.substring("kubectl ".length()).split(" "))).contains("annotated");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(keys()).containsExactlyInAnyOrder(key("web-1"), key("web-2"), key("web-3")));
      assertThat(kubectl("get", "svcreg", "-o", "custom-columns=" + SandboxMain.Columns.SVCREG))
          .contains("web", "True", "Synced");

      // Taken back, as the README shows: keys and claim go.
      assertThat(kubectl("annotate", "namespace", "default", "registrar.dev/allowed-service-names-"))
          .contains("annotated");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(keys()).isEmpty();
        assertThat(etcdctl("get", "--prefix", "/registrar/claims/", "--keys-only").strip()).isEmpty();
      });
    }
  }

  private String key(String pod) {
    return "/services/web/" + kubectl("get", "pod", pod, "-o", "jsonpath={.status.podIP}") + ":8080";
  }

  private List<String> keys() {
    return keys("web");
  }

  private List<String> keys(String service) {
    return etcdctl("get", "--prefix", "/services/" + service + "/", "--keys-only").lines()
        .filter(line -> !line.isBlank()).toList();
  }

  private String kubectl(String... args) {
    List<String> command = new ArrayList<>(List.of("kubectl", "--cache-dir", kubectlCache.toString()));
    command.addAll(List.of(args));
    return run(command, Map.of("KUBECONFIG", kubeconfig));
  }

  private String etcdctl(String... args) {
    List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", etcdEndpoints));
    command.addAll(List.of(args));
    return run(command, Map.of("ETCDCTL_API", "3"));
  }

  private String run(List<String> command, Map<String, String> env) {
    try {
      // Output to a file, so that a command that hangs is still bounded by waitFor.
      Path outputFile = Files.createTempFile(kubectlCache, "command-", ".out");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(outputFile.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within 20 s: "
            + Files.readString(outputFile, StandardCharsets.UTF_8));
      }
      String output = Files.readString(outputFile, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + " exited " + process.exitValue() + ": " + output);
      }
      return output.strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0) + " (is it installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
