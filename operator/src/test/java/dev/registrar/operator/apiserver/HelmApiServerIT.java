package dev.registrar.operator.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.testing.OperatorProcess;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import dev.registrar.testing.process.Command;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code helm install}, {@code upgrade} and {@code uninstall} of helm/registrar with the real
 * helm against a real, empty API server (its own: the CRD must be Helm's to install). There is no
 * kubelet, so the Deployment runs no Pod: the shipped jar runs outside as the ServiceAccount the
 * release created.
 */
class HelmApiServerIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NAMESPACE = "registrar-system";
  private static RealKubeApiServer api;

  @TempDir
  Path logs;

  @BeforeAll
  static void start() {
    api = RealKubeApiServer.startDedicated();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void valuesThatBreakTheSchemaAreRejectedBeforeAnythingIsInstalled() {
    Command wrongType = api.helm("install", "bad", RenderedChart.CHART.toString(), "-n", "bad", "--create-namespace",
        "--set", "etcd.deploy=true", "--set", "replicas=two");
    assertThat(wrongType.exit()).as("%s", wrongType).isNotZero();
    assertThat(wrongType.err()).contains("values don't meet the specifications of the schema").contains("replicas");
    Command unknown = api.helm("install", "bad", RenderedChart.CHART.toString(), "-n", "bad", "--create-namespace",
        "--set", "etcd.deploy=true", "--set", "replica=1");
    assertThat(unknown.exit()).as("%s", unknown).isNotZero();
    assertThat(unknown.err()).contains("replica");
    assertThat(api.helm("list", "-A", "-q").ok().out()).doesNotContain("bad");
  }

  @Test
  void installUpgradeAndUninstallOnARealApiServer() {
    KubernetesClient client = api.client();
    Command installed = api.helm("install", "registrar", RenderedChart.CHART.toString(), "-n", NAMESPACE,
        "--create-namespace", "--set", "etcd.endpoints={" + ETCD.endpointList() + "}", "--set", "clusterName=helm-it");
    assertThat(installed.exit()).as("%s", installed).isZero();
    assertThat(installed.out()).contains("STATUS: deployed");

    // Every object was accepted: the CRD from crds/, RBAC, the Deployment and its PodDisruptionBudget.
    assertThat(client.apiextensions().v1().customResourceDefinitions().withName(RealCluster.CRD_NAME).get()).isNotNull();
    Deployment deployment = client.apps().deployments().inNamespace(NAMESPACE).withName("registrar").get();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withName("registrar").get()).isNotNull();
    assertThat(client.rbac().clusterRoles().withName("registrar").get()).isNotNull();
    assertThat(client.rbac().roles().inNamespace(NAMESPACE).withName("registrar-leader-election").get()).isNotNull();
    await().atMost(Duration.ofSeconds(30)).until(() -> api.kubectl("get", "svcreg", "-A").exit() == 0);

    // The jar as the release's own ServiceAccount, with the installed Deployment's settings.
    Path kubeconfig = api.kubeconfigFor(NAMESPACE, deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
    try (OperatorProcess jar = OperatorProcess.launch(List.of(), envOf(deployment, kubeconfig), logs.resolve("operator.log"))) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(jar.isAlive()).as("the jar exited:\n%s", jar.log()).isTrue();
        assertThat(jar.log()).contains("Registrar started", "leading as ");
      });
      jar.sigterm();
      assertThat(jar.awaitExit(Duration.ofSeconds(20))).contains(0);
    }

    // A value change: one replica, so no leader election and no PodDisruptionBudget.
    Command upgraded = api.helm("upgrade", "registrar", RenderedChart.CHART.toString(), "-n", NAMESPACE,
        "--reuse-values", "--set", "replicas=1");
    assertThat(upgraded.exit()).as("%s", upgraded).isZero();
    assertThat(client.apps().deployments().inNamespace(NAMESPACE).withName("registrar").get().getSpec().getReplicas())
        .isEqualTo(1);
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withName("registrar").get()).isNull();
    assertThat(client.rbac().roles().inNamespace(NAMESPACE).withName("registrar-leader-election").get()).isNull();
    assertThat(api.helm("history", "registrar", "-n", NAMESPACE).ok().out()).contains("2").contains("deployed");

    Command uninstalled = api.helm("uninstall", "registrar", "-n", NAMESPACE);
    assertThat(uninstalled.exit()).as("%s", uninstalled).isZero();
    assertThat(client.apps().deployments().inNamespace(NAMESPACE).withName("registrar").get()).isNull();
    assertThat(client.rbac().clusterRoles().withName("registrar").get()).isNull();
    assertThat(client.serviceAccounts().inNamespace(NAMESPACE).withName("registrar").get()).isNull();
    // Helm never deletes a CRD it installed from crds/ (it would delete every registration).
    assertThat(client.apiextensions().v1().customResourceDefinitions().withName(RealCluster.CRD_NAME).get()).isNotNull();
  }

  private static Map<String, String> envOf(Deployment deployment, Path kubeconfig) {
    Map<String, String> env = new HashMap<>(RenderedChart.plainEnv(deployment));
    env.remove("REGISTRAR_HTTP_PORT");
    env.put("KUBECONFIG", kubeconfig.toString());
    return env;
  }
}
