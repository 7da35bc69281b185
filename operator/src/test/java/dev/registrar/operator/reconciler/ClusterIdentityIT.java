package dev.registrar.operator.reconciler;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.model.ClusterNameRecord;
import dev.registrar.operator.testing.ClusterKeys;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.testing.etcd.EtcdEvents;
import dev.registrar.testing.etcd.EtcdExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two clusters installed with the same cluster name on one registry: each mock API has its own
 * kube-system Namespace, so its own cluster ID. The second writes nothing while the first holds
 * the name, and takes it once the first lets go.
 */
class ClusterIdentityIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final Duration WAIT = Duration.ofSeconds(30);
  static final Map<String, String> APP = Map.of("app", "cart");

  @Test
  void aSecondClusterWithTheSameNameIsRefusedAndTouchesNothingOfTheFirst() throws Exception {
    try (OperatorFixture first = OperatorFixture.startInCluster(ETCD, "--cluster-name", "eu")) {
      EtcdView etcd = first.etcd;
      first.client.resource(pod("shop", "cart-1", "10.1.0.1", APP, true)).create();
      first.client.resource(registration("shop", "cart", "cart", APP, PortSpec.number("http", 80))).create();
      first.awaitReady("shop", "cart", "True", "Synced", WAIT);
      assertThat(etcd.value(ClusterNameRecord.key("eu"))).hasValueSatisfying(v -> assertThat(v).contains(first.clusterId()));
      Map<String, String> firstKeys = ClusterKeys.of(etcd, "eu");
      firstKeys.putAll(etcd.valuesAndRevisions("/registrar/claims/cart"));

      try (EtcdEvents events = new EtcdEvents(ETCD.client(), "/services/", "/registrar/claims/");
           OperatorFixture second = OperatorFixture.startInCluster(ETCD, "--cluster-name", "eu")) {
        // The same namespace and name, which would otherwise fight over the same owner.
        second.client.resource(pod("shop", "cart-1", "10.2.0.1", APP, true)).create();
        second.client.resource(registration("shop", "cart", "cart", APP, PortSpec.number("http", 80))).create();
        second.client.resource(pod("shop", "web-1", "10.2.0.2", Map.of("app", "web"), true)).create();
        second.client.resource(registration("shop", "web", "web", Map.of("app", "web"), PortSpec.number("http", 80))).create();
        second.awaitReady("shop", "cart", "False", "ClusterNameTaken", WAIT);
        second.awaitReady("shop", "web", "False", "ClusterNameTaken", WAIT);
        assertThat(second.condition("shop", "web", "Ready").orElseThrow().getMessage())
            .startsWith("cluster name 'eu' is held in the registry by another cluster (kube-system UID "
                + first.clusterId() + ",")
            .contains("this cluster's kube-system UID is " + second.clusterId())
            .endsWith("give each cluster sharing the registry its own REGISTRAR_CLUSTER_NAME (chart value clusterName)");
        assertThat(second.events("shop", "web", "ClusterNameTaken")).isNotEmpty();
        // Nothing of the first changed, and the second wrote nothing at all.
        Map<String, String> after = ClusterKeys.of(etcd, "eu");
        after.putAll(etcd.valuesAndRevisions("/registrar/claims/cart"));
        assertThat(after).isEqualTo(firstKeys);
        assertThat(etcd.values("/services/web/")).isEmpty();
        assertThat(events.puts()).isEmpty();
        assertThat(events.deletes()).isEmpty();

        // The first one's operator stops and lets the name go: the second takes it and registers.
        first.stopOperator();
        await().atMost(WAIT).untilAsserted(() -> assertThat(etcd.value(ClusterNameRecord.key("eu")))
            .hasValueSatisfying(v -> assertThat(v).contains(second.clusterId())));
        second.awaitReady("shop", "web", "True", "Synced", WAIT);
        assertThat(etcd.values("/services/web/")).containsOnlyKeys("/services/web/10.2.0.2:80");
      }
    }
  }

  @Test
  void theSameClusterRestartedKeepsItsName() {
    try (OperatorFixture cluster = OperatorFixture.startInCluster(ETCD, "--cluster-name", "us")) {
      cluster.client.resource(pod("shop", "web-1", "10.3.0.1", Map.of("app", "web"), true)).create();
      cluster.client.resource(registration("shop", "web", "web-us", Map.of("app", "web"), PortSpec.number("http", 80))).create();
      cluster.awaitReady("shop", "web", "True", "Synced", WAIT);
      cluster.stopOperator();
      cluster.startOperator();
      cluster.client.resources(dev.registrar.operator.customresource.ServiceRegistration.class).inNamespace("shop")
          .withName("web").edit(r -> { r.getSpec().setWeight(7); return r; });
      await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.etcd.value("/services/web-us/10.3.0.1:80"))
          .hasValueSatisfying(v -> assertThat(v).contains("\"weight\":7")));
      cluster.awaitReady("shop", "web", "True", "Synced", WAIT);
    }
  }
}
