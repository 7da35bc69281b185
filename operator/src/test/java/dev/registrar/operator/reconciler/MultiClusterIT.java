package dev.registrar.operator.reconciler;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceDiscovery;
import dev.registrar.client.ServiceInstance;
import dev.registrar.operator.customresource.ClusterEndpoints;
import dev.registrar.operator.customresource.ClusterSet;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.ClusterKeys;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.testing.etcd.EtcdEvents;
import dev.registrar.testing.etcd.EtcdExtension;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two clusters feeding one registry: two mock API servers, two operators (cluster names eu and us),
 * one real etcd. A name shared across clusters (spec.clusterSet: Shared) carries both clusters'
 * endpoints; nothing one cluster does, in any of its clean-up paths, touches the other's keys.
 */
class MultiClusterIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final Duration WAIT = Duration.ofSeconds(30);
  static final Map<String, String> APP = Map.of("app", "cart");
  static final String CLAIM = "/registrar/claims/cart";
  /** Keys of the other cluster written or deleted, across every test of this class: must stay 0. */
  static final AtomicLong OTHER_CLUSTER_KEYS_TOUCHED = new AtomicLong();

  OperatorFixture eu;
  OperatorFixture us;
  EtcdView etcd;

  @BeforeEach
  void start() {
    // eu judges names by its Namespaces' annotations, so that a name can be taken back from it.
    eu = OperatorFixture.start(ETCD, "--cluster-name", "eu", "--name-policy", "namespace-annotation");
    us = OperatorFixture.start(ETCD, "--cluster-name", "us");
    etcd = eu.etcd;
    eu.client.resource(NamePolicyIT.namespace("shop", "cart,cart-eu")).create();
  }

  @AfterEach
  void stop() {
    eu.close();
    us.close();
  }

  @AfterAll
  static void report() {
    System.out.println("multi-cluster: keys of the other cluster touched across MultiClusterIT: "
        + OTHER_CLUSTER_KEYS_TOUCHED.get());
  }

  static ServiceRegistration shared(String namespace, String name, String serviceName, PortSpec... ports) {
    ServiceRegistration registration = registration(namespace, name, serviceName, APP, ports);
    registration.getSpec().setClusterSet(ClusterSet.Shared);
    registration.getSpec().setLeaseTTLSeconds(15);
    return registration;
  }

  /** eu runs 10.1.0.1 and 10.1.0.2, us runs 10.2.0.1; both register shop/cart as a shared name. */
  void bothClustersShareCart() {
    eu.client.resource(pod("shop", "cart-1", "10.1.0.1", APP, true)).create();
    eu.client.resource(pod("shop", "cart-2", "10.1.0.2", APP, true)).create();
    us.client.resource(pod("shop", "cart-1", "10.2.0.1", APP, true)).create();
    eu.client.resource(shared("shop", "cart", "cart", PortSpec.number("http", 80))).create();
    eu.awaitReady("shop", "cart", "True", "Synced", WAIT);
    us.client.resource(shared("shop", "cart", "cart", PortSpec.number("http", 80))).create();
    us.awaitReady("shop", "cart", "True", "Synced", WAIT);
    await().atMost(WAIT).untilAsserted(() -> assertThat(etcd.values("/services/cart/")).containsOnlyKeys(
        "/services/cart/10.1.0.1:80", "/services/cart/10.1.0.2:80", "/services/cart/10.2.0.1:80"));
  }

  static List<ClusterEndpoints> others(OperatorFixture cluster) {
    ServiceRegistration r = cluster.registration("shop", "cart");
    return r.getStatus() == null || r.getStatus().getOtherClusters() == null ? List.of() : r.getStatus().getOtherClusters();
  }

  @Test
  void aSharedNameCarriesBothClustersEndpointsAndIsReleasedWithTheLastOne() throws Exception {
    eu.client.resource(pod("shop", "cart-1", "10.1.0.1", APP, true)).create();
    eu.client.resource(pod("shop", "cart-2", "10.1.0.2", APP, true)).create();
    us.client.resource(pod("shop", "cart-1", "10.2.0.1", APP, true)).create();
    eu.client.resource(shared("shop", "cart", "cart", PortSpec.number("http", 80))).create();
    eu.awaitReady("shop", "cart", "True", "Synced", WAIT);
    long created = System.nanoTime();
    us.client.resource(shared("shop", "cart", "cart", PortSpec.number("http", 80))).create();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
        .until(() -> etcd.value("/services/cart/10.2.0.1:80").isPresent());
    System.out.printf("multi-cluster: registration created in cluster us -> its key in etcd beside eu's: %d ms%n",
        (System.nanoTime() - created) / 1_000_000);
    us.awaitReady("shop", "cart", "True", "Synced", WAIT);

    // Consumers see one service: the union of both clusters' instances.
    try (ServiceDiscovery discovery = ServiceDiscovery.watch(ETCD.client(), RegistryPrefix.DEFAULT, "cart")) {
      assertThat(discovery.awaitInitialSync(Duration.ofSeconds(10))).isTrue();
      await().atMost(WAIT).untilAsserted(() -> assertThat(discovery.instances("cart"))
          .extracting(ServiceInstance::host).containsExactlyInAnyOrder("10.1.0.1", "10.1.0.2", "10.2.0.1"));
    }
    // Each says what the other contributes, not where.
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(others(eu)).containsExactly(new ClusterEndpoints("us", 1));
      assertThat(others(us)).containsExactly(new ClusterEndpoints("eu", 2));
    });
    assertThat(us.condition("shop", "cart", "Ready").orElseThrow().getMessage())
        .endsWith("shared with cluster eu (2): 2 endpoints of theirs under the service");
    assertThat(eu.condition("shop", "cart", "ClusterSetConsistent")).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("SamePorts");
    });
    assertThat(etcd.value("/registrar/claims/cart/eu")).isPresent();
    assertThat(etcd.value("/registrar/claims/cart/us")).isPresent();
    assertThat(etcd.leases(CLAIM).get(CLAIM)).as("the set's claim is on no lease").isZero();

    // eu lets go: only eu's keys leave, the name stays claimed for us.
    Map<String, String> usBefore = ClusterKeys.of(etcd, "us");
    try (EtcdEvents events = new EtcdEvents(ETCD.client(), "/services/", "/registrar/claims/")) {
      eu.client.resources(ServiceRegistration.class).inNamespace("shop").withName("cart").delete();
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(etcd.values("/services/cart/")).containsOnlyKeys("/services/cart/10.2.0.1:80");
        assertThat(etcd.value("/registrar/claims/cart/eu")).isEmpty();
      });
      assertThat(etcd.value(CLAIM)).as("the name stays claimed while us shares it").isPresent();
      await().atMost(WAIT).untilAsserted(() -> assertThat(others(us)).isEmpty());
      assertThat(ClusterKeys.of(etcd, "us")).isEqualTo(usBefore);
      OTHER_CLUSTER_KEYS_TOUCHED.addAndGet(ClusterKeys.touched(usBefore.keySet(), events));
      assertThat(ClusterKeys.touched(usBefore.keySet(), events)).isZero();
    }
    // The last one lets go: the name is free.
    us.client.resources(ServiceRegistration.class).inNamespace("shop").withName("cart").delete();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(etcd.values("/services/cart/")).isEmpty();
      assertThat(etcd.values("/registrar/claims/")).isEmpty();
    });
  }

  @Test
  void anotherNamespaceAskingForTheNameInTheOtherClusterIsInConflictAndTouchesNothing() throws Exception {
    eu.client.resource(pod("shop", "cart-1", "10.1.0.1", APP, true)).create();
    eu.client.resource(shared("shop", "cart", "cart", PortSpec.number("http", 80))).create();
    eu.awaitReady("shop", "cart", "True", "Synced", WAIT);
    Map<String, String> euBefore = ClusterKeys.of(etcd, "eu");
    euBefore.putAll(etcd.valuesAndRevisions(CLAIM));
    try (EtcdEvents events = new EtcdEvents(ETCD.client(), "/services/", "/registrar/claims/")) {
      us.client.resource(pod("billing", "cart-1", "10.2.0.9", APP, true)).create();
      us.client.resource(shared("billing", "cart", "cart", PortSpec.number("http", 80))).create();
      // The same namespace and name, left Exclusive in us, is told how to join.
      us.client.resource(pod("shop", "cart-1", "10.2.0.1", APP, true)).create();
      us.client.resource(registration("shop", "cart", "cart", APP, PortSpec.number("http", 80))).create();
      us.awaitReady("billing", "cart", "False", "Conflict", WAIT);
      us.awaitReady("shop", "cart", "False", "Conflict", WAIT);
      assertThat(us.condition("billing", "cart", "Ready").orElseThrow().getMessage()).isEqualTo(
          "service name 'cart' is shared by registrations shop/cart of cluster 'eu' (/registrar/claims/cart); "
              + "this registration writes nothing until the claim is released");
      assertThat(us.condition("shop", "cart", "Ready").orElseThrow().getMessage()).endsWith(
          "set spec.clusterSet: Shared to register this cluster's endpoints under it too");
      assertThat(us.events("billing", "cart", "Conflict")).isNotEmpty();
      // Both decided (their status says so) without a write: eu's keys and the claim, same value
      // and ModRevision, and no event under either prefix.
      Map<String, String> euAfter = ClusterKeys.of(etcd, "eu");
      euAfter.putAll(etcd.valuesAndRevisions(CLAIM));
      assertThat(euAfter).isEqualTo(euBefore);
      assertThat(etcd.values("/services/cart/")).containsOnlyKeys("/services/cart/10.1.0.1:80");
      OTHER_CLUSTER_KEYS_TOUCHED.addAndGet(ClusterKeys.touched(euBefore.keySet(), events));
      assertThat(events.puts()).isEmpty();
      assertThat(events.deletes()).isEmpty();
    }
  }

  @Test
  void everyCleanUpPathInOneClusterLeavesTheOtherClustersKeysAlone() throws Exception {
    bothClustersShareCart();
    Map<String, String> usBefore = ClusterKeys.of(etcd, "us");
    long usLease = us.lease("shop", "cart");
    try (EtcdEvents events = new EtcdEvents(ETCD.client(), "/services/", "/registrar/claims/")) {
      // A TTL change: eu's keys move to a new lease, the old one is revoked.
      long euLease = eu.lease("shop", "cart");
      eu.client.resources(ServiceRegistration.class).inNamespace("shop").withName("cart")
          .edit(r -> { r.getSpec().setLeaseTTLSeconds(20); return r; });
      await().atMost(WAIT).until(() -> eu.lease("shop", "cart") != euLease);
      eu.awaitReady("shop", "cart", "True", "Synced", WAIT);
      assertThat(ClusterKeys.of(etcd, "us")).as("after eu's TTL change").isEqualTo(usBefore);

      // A lost lease: somebody revokes eu's; eu registers again under a new one.
      long revoked = eu.lease("shop", "cart");
      ETCD.client().getLeaseClient().revoke(revoked).get();
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(eu.lease("shop", "cart")).isNotEqualTo(revoked);
        assertThat(etcd.values("/services/cart/")).hasSize(3);
        assertThat(etcd.value("/registrar/claims/cart/eu")).isPresent();
      });
      assertThat(ClusterKeys.of(etcd, "us")).as("after eu lost its lease").isEqualTo(usBefore);

      // A serviceName move: eu's keys go to cart-eu, us keeps cart.
      eu.client.resources(ServiceRegistration.class).inNamespace("shop").withName("cart")
          .edit(r -> { r.getSpec().setServiceName("cart-eu"); return r; });
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(etcd.values("/services/cart-eu/")).hasSize(2);
        assertThat(etcd.values("/services/cart/")).containsOnlyKeys("/services/cart/10.2.0.1:80");
        assertThat(etcd.value("/registrar/claims/cart/eu")).isEmpty();
      });
      assertThat(etcd.value(CLAIM)).isPresent();
      assertThat(ClusterKeys.of(etcd, "us")).as("after eu moved to another name").isEqualTo(usBefore);

      // Back to cart, then the name policy takes cart back from eu's namespace.
      eu.client.resources(ServiceRegistration.class).inNamespace("shop").withName("cart")
          .edit(r -> { r.getSpec().setServiceName("cart"); return r; });
      await().atMost(WAIT).untilAsserted(() -> assertThat(etcd.values("/services/cart/")).hasSize(3));
      NamePolicyIT.annotate(eu.client, "shop", "cart-eu");
      eu.awaitReady("shop", "cart", "False", "NameNotAllowed", WAIT);
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(etcd.values("/services/cart/")).containsOnlyKeys("/services/cart/10.2.0.1:80");
        assertThat(etcd.value("/registrar/claims/cart/eu")).isEmpty();
      });
      assertThat(etcd.value(CLAIM)).as("the name stays claimed while us shares it").isPresent();
      assertThat(ClusterKeys.of(etcd, "us")).as("after eu's name was refused").isEqualTo(usBefore);

      // And eu's registration deleted.
      eu.client.resources(ServiceRegistration.class).inNamespace("shop").withName("cart").delete();
      await().atMost(WAIT).until(() -> eu.registration("shop", "cart") == null);
      assertThat(ClusterKeys.of(etcd, "us")).as("after eu's registration was deleted").isEqualTo(usBefore);
      assertThat(etcd.lease(usLease).getTTL()).as("us's lease").isPositive();
      us.awaitReady("shop", "cart", "True", "Synced", WAIT);
      OTHER_CLUSTER_KEYS_TOUCHED.addAndGet(ClusterKeys.touched(usBefore.keySet(), events));
      assertThat(ClusterKeys.touched(usBefore.keySet(), events)).isZero();
    }
  }

  @Test
  void portsThatDifferAcrossClustersAreAWarningAndBothStillRegister() {
    eu.client.resource(pod("shop", "cart-1", "10.1.0.1", APP, true)).create();
    us.client.resource(pod("shop", "cart-1", "10.2.0.1", APP, true)).create();
    eu.client.resource(shared("shop", "cart", "cart", PortSpec.number("http", 80))).create();
    us.client.resource(shared("shop", "cart", "cart", PortSpec.number("http", 8080))).create();
    await().atMost(WAIT).untilAsserted(() -> assertThat(etcd.values("/services/cart/"))
        .containsOnlyKeys("/services/cart/10.1.0.1:80", "/services/cart/10.2.0.1:8080"));
    await().atMost(WAIT).untilAsserted(() -> {
      Condition condition = us.condition("shop", "cart", "ClusterSetConsistent").orElseThrow();
      assertThat(condition.getStatus()).isEqualTo("False");
      assertThat(condition.getReason()).isEqualTo("InconsistentPorts");
      assertThat(condition.getMessage()).startsWith("this cluster registers the ports http=8080, but cluster eu "
          + "registers http=80");
      assertThat(eu.condition("shop", "cart", "ClusterSetConsistent").orElseThrow().getReason())
          .isEqualTo("InconsistentPorts");
    });
    us.awaitReady("shop", "cart", "True", "Synced", WAIT);
    assertThat(us.events("shop", "cart", "InconsistentPorts")).hasSize(1)
        .allSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning"));
  }

  @Test
  void anOperatorStoppedInOneClusterLosesOnlyItsOwnKeysAtTheirTtl() throws Exception {
    bothClustersShareCart();
    Map<String, String> usBefore = ClusterKeys.of(etcd, "us");
    try (EtcdEvents events = new EtcdEvents(ETCD.client(), "/services/", "/registrar/claims/")) {
      long stopped = System.nanoTime();
      eu.stopOperator();
      await().atMost(Duration.ofSeconds(15 + 15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
          assertThat(etcd.values("/services/cart/")).containsOnlyKeys("/services/cart/10.2.0.1:80"));
      System.out.printf("multi-cluster: eu's operator stopped -> its keys gone from etcd after %d ms (TTL 15 s)%n",
          (System.nanoTime() - stopped) / 1_000_000);
      assertThat(etcd.value("/registrar/claims/cart/eu")).isEmpty();
      assertThat(etcd.value(CLAIM)).isPresent();
      assertThat(ClusterKeys.of(etcd, "us")).isEqualTo(usBefore);
      await().atMost(WAIT).untilAsserted(() -> assertThat(others(us)).isEmpty());
      us.awaitReady("shop", "cart", "True", "Synced", WAIT);
      OTHER_CLUSTER_KEYS_TOUCHED.addAndGet(ClusterKeys.touched(usBefore.keySet(), events));
      assertThat(ClusterKeys.touched(usBefore.keySet(), events)).isZero();
    }
  }
}
