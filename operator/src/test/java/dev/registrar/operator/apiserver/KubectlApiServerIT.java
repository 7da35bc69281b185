package dev.registrar.operator.apiserver;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.RepositoryRoot;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What users see with kubectl on a real API server: the table the CRD's printer columns make,
 * {@code kubectl wait} on the Ready condition, and the Events {@code kubectl describe} lists.
 * None of it is possible on the mock, which prints no tables and ignores field selectors.
 */
class KubectlApiServerIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NAMESPACE = "kubectl-shop";
  /** The README's "What you see" applies examples/multi-port.yaml in this namespace. */
  static final String README_NAMESPACE = "shop";
  private static RealKubeApiServer api;
  private static RunningOperator operator;

  @BeforeAll
  static void start() {
    api = RealKubeApiServer.shared();
    RealCluster.installCrd(api);
    api.namespace(NAMESPACE);
    api.namespace(README_NAMESPACE);
    KubeletStandIn.node(api.client(), "node-1", "eu-west-1a");
    operator = RunningOperator.start(api.client(), ETCD.endpointList(), "--watch-namespaces",
        NAMESPACE + "," + README_NAMESPACE, "--name-policy", "any");
    KubernetesClient client = api.client();
    Map<String, String> labels = Map.of("app", "web");
    KubeletStandIn.run(client, pod(NAMESPACE, "web-1", "10.41.0.1", labels, true));
    KubeletStandIn.run(client, pod(NAMESPACE, "web-2", "10.41.0.2", labels, true));
    client.resource(registration(NAMESPACE, "web", "web-shop", labels, PortSpec.number("http", 8080))).create();
    EtcdView etcd = new EtcdView(ETCD.client());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(etcd.values("/services/web-shop/")).hasSize(2));
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void kubectlWaitReturnsOnceTheRegistrationIsReady() {
    var waited = api.kubectl("wait", "-n", NAMESPACE, "--for=condition=Ready", "svcreg/web", "--timeout=30s");
    assertThat(waited.exit()).as("%s", waited).isZero();
    assertThat(waited.out()).contains("serviceregistration.registrar.dev/web condition met");
  }

  @Test
  void kubectlGetPrintsThePrinterColumnsFromTheRealTablePrinter() {
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      List<String> table = api.kubectl("get", "svcreg", "-n", NAMESPACE).ok().out().lines().toList();
      assertThat(table.get(0).split("\\s+")).containsExactly("NAME", "SERVICE", "READY", "ENDPOINTS", "AGE");
      assertThat(table.get(1).split("\\s+")).startsWith("web", "web-shop", "True", "2");
    });
    ServiceRegistration stored = api.client().resources(ServiceRegistration.class).inNamespace(NAMESPACE).withName("web").get();
    List<String> wide = api.kubectl("get", "sreg", "-n", NAMESPACE, "-o", "wide").ok().out().lines().toList();
    assertThat(wide.get(0).split("\\s+")).containsExactly("NAME", "SERVICE", "READY", "ENDPOINTS", "LEASE", "AGE");
    assertThat(wide.get(1).split("\\s+")).startsWith("web", "web-shop", "True", "2", stored.getStatus().getLeaseId());
  }

  @Test
  void kubectlDescribeListsTheRegistrationsEvents() {
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      String described = api.kubectl("describe", "svcreg", "web", "-n", NAMESPACE).ok().out();
      assertThat(described).contains("Events:");
      assertThat(described).containsPattern("Normal\\s+Registered\\s+.*registrar");
      assertThat(described).contains("Service Name:", "web-shop");
    });
  }

  /**
   * README's "What you see", captured here: examples/multi-port.yaml applied with kubectl, the
   * two Pods its Deployment asks for played by the test (no controller or kubelet runs here),
   * then what kubectl and etcdctl print. The README's block must show this output; only the
   * AGE, the owner's uid, the lease id and its remaining seconds differ from run to run.
   */
  @Test
  void theReadmesWhatYouSeeIsWhatKubectlAndEtcdctlPrintForTheMultiPortExample() throws Exception {
    java.nio.file.Path example = RepositoryRoot.find().resolve("examples/multi-port.yaml");
    api.kubectl("apply", "-n", README_NAMESPACE, "-f", example.toString()).ok();
    KubernetesClient client = api.client();
    var deployment = client.apps().deployments().inNamespace(README_NAMESPACE).withName("orders").get();
    List<String> suffixes = List.of("4kx2p", "w7mzq");
    for (int i = 0; i < deployment.getSpec().getReplicas(); i++) {
      var template = deployment.getSpec().getTemplate();
      var pod = new io.fabric8.kubernetes.api.model.PodBuilder()
          .withNewMetadata().withNamespace(README_NAMESPACE).withName("orders-6d5f7c9b8d-" + suffixes.get(i))
          .withLabels(template.getMetadata().getLabels()).endMetadata()
          .withSpec(template.getSpec()).editSpec().withNodeName("node-1").endSpec()
          .withNewStatus().withPhase("Running").withPodIP("10.244.1." + (7 + i))
          .addNewCondition().withType("ContainersReady").withStatus("True").endCondition()
          .addNewCondition().withType("Ready").withStatus("True").endCondition()
          .endStatus().build();
      KubeletStandIn.run(client, pod);
    }
    EtcdView etcd = new EtcdView(ETCD.client());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(etcd.values("/services/orders/")).hasSize(4);
      assertThat(api.kubectl("get", "svcreg", "-n", README_NAMESPACE).ok().out()).containsPattern("orders\\s+orders\\s+True\\s+4");
    });
    String leaseId = client.resources(ServiceRegistration.class).inNamespace(README_NAMESPACE).withName("orders").get()
        .getStatus().getLeaseId();
    String captured = "$ kubectl get svcreg -n shop\n" + api.kubectl("get", "svcreg", "-n", README_NAMESPACE).ok().out()
        + "$ etcdctl --endpoints http://127.0.0.1:2379 get --prefix /services/orders/\n"
        + ETCD.etcdctl("get", "--prefix", "/services/orders/")
        + ETCD.etcdctl("lease", "timetolive", "--keys", leaseId);
    System.out.println(captured);

    String readme = java.nio.file.Files.readString(RepositoryRoot.find().resolve("README.md"));
    String block = readme.substring(readme.indexOf("## What you see"));
    block = block.substring(0, block.indexOf("\n```\n", block.indexOf("```console")));
    List<String> shown = block.lines().map(KubectlApiServerIT::runToRun).toList();
    for (String line : captured.lines().map(KubectlApiServerIT::runToRun).toList()) {
      if (line.startsWith("lease ")) {
        assertThat(shown).as("README.md, What you see").anySatisfy(readmeLine ->
            assertThat(leaseLine(readmeLine)).isEqualTo(leaseLine(line)));
      } else {
        assertThat(shown).as("README.md, What you see").contains(line);
      }
    }
  }

  /** What changes from run to run, masked: AGE, the owner's uid, a lease id, its remaining seconds. */
  static String runToRun(String line) {
    return line.replaceAll("\"uid\":\"[^\"]*\"", "\"uid\":\"*\"")
        .replaceAll("^(orders\\s+orders\\s+\\S+\\s+\\d+)\\s+\\S+$", "$1 *")
        .replaceAll("^lease [0-9a-f]+ granted with TTL\\((\\d+)s\\), remaining\\(\\d+s\\)", "lease * granted with TTL($1s), remaining(*)");
  }

  /** A lease line with its attached keys as a set: etcd lists them in no particular order. */
  static java.util.Set<String> leaseLine(String line) {
    if (!line.startsWith("lease ") || !line.contains("attached keys([")) {
      return java.util.Set.of(line);
    }
    java.util.Set<String> parts = new java.util.TreeSet<>(List.of(line.substring(0, line.indexOf("attached keys(["))));
    parts.addAll(List.of(line.substring(line.indexOf("([") + 2, line.lastIndexOf("])")).split(" ")));
    return parts;
  }
}
