package dev.registrar.operator.apiserver;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.RunningOperator;
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
  private static RealKubeApiServer api;
  private static RunningOperator operator;

  @BeforeAll
  static void start() {
    api = RealKubeApiServer.shared();
    RealCluster.installCrd(api);
    api.namespace(NAMESPACE);
    operator = RunningOperator.start(api.client(), ETCD.endpointList(), "--watch-namespaces", NAMESPACE,
        "--name-policy", "any", "--topology", "false");
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
}
