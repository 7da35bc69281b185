package dev.registrar.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kubelet-less cluster on a real kube-apiserver and controller-manager: a Deployment's Pods
 * are scheduled, get IPs from their Node's range, and follow kubelet's rules for Ready and for
 * graceful deletion. The operator is not involved; the test plays the readiness gate's writer.
 */
class KubeletlessClusterApiServerIT {

  static final String NAMESPACE = "kubelet";
  static final String GATE = "example.com/gate";
  private static KubeletlessCluster cluster;

  @BeforeAll
  static void start() {
    cluster = KubeletlessCluster.start(SimulatedKubelet.Options.realApiServer(Duration.ofMillis(200), Duration.ofMillis(500)),
        SimulatedKubelet.nodes("node", 2, "zone-a", "zone-b"));
    cluster.api().namespace(NAMESPACE);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aDeploymentsPodsRunOnTheNodesAndAreReadyOnlyWhenTheirGateIsTrue() {
    KubernetesClient client = cluster.client();
    client.resource(deployment("gated", 2, true)).create();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      List<Pod> pods = pods("gated");
      assertThat(pods).hasSize(2).allSatisfy(pod -> {
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        assertThat(pod.getStatus().getPodIP()).startsWith("10.244.");
        assertThat(KubeletRules.conditionStatus(pod.getStatus(), "ContainersReady")).isEqualTo("True");
      });
      // Spread: one Pod per Node, each IP from its own Node's range.
      assertThat(pods).extracting(p -> p.getSpec().getNodeName()).containsExactlyInAnyOrder("node-1", "node-2");
    });
    assertThat(pods("gated")).allSatisfy(pod -> {
      assertThat(KubeletRules.conditionStatus(pod.getStatus(), "Ready")).isEqualTo("False");
      assertThat(pod.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("ReadinessGatesNotReady"));
    });

    Pod first = pods("gated").get(0);
    client.pods().inNamespace(NAMESPACE).withName(first.getMetadata().getName()).editStatus(p -> {
      p.getStatus().getConditions().add(new PodConditionBuilder().withType(GATE).withStatus("True").build());
      return p;
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(KubeletRules.conditionStatus(
        client.pods().inNamespace(NAMESPACE).withName(first.getMetadata().getName()).get().getStatus(), "Ready"))
        .isEqualTo("True"));
    assertThat(client.apps().deployments().inNamespace(NAMESPACE).withName("gated").get().getStatus().getReadyReplicas())
        .isIn(null, 0, 1);
  }

  @Test
  void aDeletedPodTurnsUnreadyAtOnceAndIsRemovedWhenItsContainersStopped() {
    KubernetesClient client = cluster.client();
    client.resource(deployment("plain", 1, false)).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> pods("plain").size() == 1
        && "True".equals(KubeletRules.conditionStatus(pods("plain").get(0).getStatus(), "Ready")));
    String name = pods("plain").get(0).getMetadata().getName();
    client.pods().inNamespace(NAMESPACE).withName(name).delete();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      Pod pod = client.pods().inNamespace(NAMESPACE).withName(name).get();
      assertThat(pod).isNotNull();
      assertThat(pod.getMetadata().getDeletionTimestamp()).isNotNull();
      assertThat(KubeletRules.conditionStatus(pod.getStatus(), "Ready")).isEqualTo("False");
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace(NAMESPACE).withName(name).get() == null);
    // The ReplicaSet replaced it.
    await().atMost(Duration.ofSeconds(30)).until(() -> pods("plain").stream()
        .anyMatch(p -> !p.getMetadata().getName().equals(name) && "Running".equals(p.getStatus().getPhase())));
  }

  private static List<Pod> pods(String app) {
    return cluster.client().pods().inNamespace(NAMESPACE).withLabel("app", app).list().getItems();
  }

  static Deployment deployment(String name, int replicas, boolean gated) {
    DeploymentBuilder builder = new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
        .withNewSpec().withReplicas(replicas)
        .withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels(Map.of("app", name)).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("registry.example/app:1").endContainer()
        .endSpec().endTemplate().endSpec();
    if (gated) {
      builder.editSpec().editTemplate().editSpec().addNewReadinessGate().withConditionType(GATE).endReadinessGate()
          .endSpec().endTemplate().endSpec();
    }
    return builder.build();
  }
}
