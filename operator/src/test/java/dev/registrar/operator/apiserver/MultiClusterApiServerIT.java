package dev.registrar.operator.apiserver;

import static dev.registrar.operator.testing.TestObjects.pod;
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
import dev.registrar.operator.testing.OperatorProcess;
import dev.registrar.operator.testing.TestObjects;
import dev.registrar.testing.etcd.EtcdEvents;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.go.SeedProgram;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import dev.registrar.testing.net.TcpProxy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two clusters on two real kube-apiservers, each with the shipped jar, feeding one etcd registry:
 * a shared name's union as the seed's Go consumer and the Java client see it, one cluster cut
 * from etcd, then one cluster's operator SIGKILLed. The other cluster's keys are never touched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiClusterApiServerIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NS = "shop";
  static final int TTL = 15;
  static final Duration WAIT = Duration.ofSeconds(45);
  static final Map<String, String> APP = Map.of("app", "cart");

  Path dir;
  RealKubeApiServer euApi;
  RealKubeApiServer usApi;
  TcpProxy euToEtcd;
  OperatorProcess euOperator;
  OperatorProcess usOperator;
  EtcdView etcd;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("registrar-multicluster-");
    etcd = new EtcdView(ETCD.client());
    euApi = RealKubeApiServer.startDedicated();
    usApi = RealKubeApiServer.startDedicated();
    euToEtcd = TcpProxy.inFrontOf(ETCD.endpointList());
    euOperator = launch("eu", euApi, euToEtcd.url());
    usOperator = launch("us", usApi, ETCD.endpointList());
  }

  OperatorProcess launch(String cluster, RealKubeApiServer api, String etcdEndpoints) {
    RealCluster.installCrd(api);
    api.namespace(NS);
    return OperatorProcess.launch(List.of(), Map.of(
        "REGISTRAR_ETCD_ENDPOINTS", etcdEndpoints,
        "REGISTRAR_CLUSTER_NAME", cluster,
        "REGISTRAR_WATCH_NAMESPACES", NS,
        "KUBECONFIG", api.kubeconfig().toString()), dir.resolve(cluster + "-operator.log"));
  }

  @AfterAll
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {euOperator, usOperator, euToEtcd, euApi, usApi}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        System.out.println("closing: " + e);
      }
    }
  }

  static ServiceRegistration shared() {
    ServiceRegistration registration = TestObjects.registration(NS, "cart", "cart", APP, PortSpec.number("http", 80));
    registration.getSpec().setClusterSet(ClusterSet.Shared);
    registration.getSpec().setLeaseTTLSeconds(TTL);
    return registration;
  }

  static Optional<Condition> ready(KubernetesClient client) {
    ServiceRegistration r = client.resources(ServiceRegistration.class).inNamespace(NS).withName("cart").get();
    return r == null || r.getStatus() == null ? Optional.empty()
        : r.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst();
  }

  static void awaitReady(KubernetesClient client, String status, String reason) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(ready(client)).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo(status);
      assertThat(c.getReason()).isEqualTo(reason);
    }));
  }

  static List<ClusterEndpoints> others(KubernetesClient client) {
    ServiceRegistration r = client.resources(ServiceRegistration.class).inNamespace(NS).withName("cart").get();
    return r.getStatus() == null || r.getStatus().getOtherClusters() == null ? List.of() : r.getStatus().getOtherClusters();
  }

  /** The keys the seed's Go consumer holds now: it prints "+ key value" and "- key" per change. */
  static Set<String> heldByGo(SeedProgram go) {
    Set<String> held = new TreeSet<>();
    for (String line : go.lines()) {
      if (line.startsWith("+ ")) {
        held.add(line.substring(2).split(" ")[0]);
      } else if (line.startsWith("- ")) {
        held.remove(line.substring(2).strip());
      }
    }
    return held;
  }

  static final Set<String> UNION = Set.of("/services/cart/10.1.0.1:80", "/services/cart/10.1.0.2:80",
      "/services/cart/10.2.0.1:80");

  @Test
  @Order(1)
  void oneServiceFedByTwoClustersIsTheUnionForTheGoAndJavaConsumers() throws Exception {
    KubeletStandIn.run(euApi.client(), pod(NS, "cart-1", "10.1.0.1", APP, true));
    KubeletStandIn.run(euApi.client(), pod(NS, "cart-2", "10.1.0.2", APP, true));
    KubeletStandIn.run(usApi.client(), pod(NS, "cart-1", "10.2.0.1", APP, true));
    try (SeedProgram go = SeedProgram.discover(ETCD.endpointList(), "/services/cart/", dir);
         ServiceDiscovery java = ServiceDiscovery.watch(ETCD.client(), RegistryPrefix.DEFAULT, "cart")) {
      go.await("synced at revision \\d+", Duration.ofSeconds(30));
      euApi.client().resource(shared()).create();
      awaitReady(euApi.client(), "True", "Synced");
      long created = System.nanoTime();
      usApi.client().resource(shared()).create();
      await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
          .until(() -> etcd.value("/services/cart/10.2.0.1:80").isPresent());
      System.out.printf("multi-cluster (real API servers): registration created in us -> its key in etcd: %d ms%n",
          (System.nanoTime() - created) / 1_000_000);
      awaitReady(usApi.client(), "True", "Synced");
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(etcd.values("/services/cart/").keySet()).isEqualTo(UNION);
        assertThat(heldByGo(go)).isEqualTo(UNION);
        assertThat(java.instances("cart")).extracting(ServiceInstance::host)
            .containsExactlyInAnyOrder("10.1.0.1", "10.1.0.2", "10.2.0.1");
        assertThat(others(euApi.client())).containsExactly(new ClusterEndpoints("us", 1));
        assertThat(others(usApi.client())).containsExactly(new ClusterEndpoints("eu", 2));
      });
      // The real kubectl shows the new status field.
      assertThat(usApi.kubectl("get", "svcreg", "cart", "-n", NS, "-o", "jsonpath={.status.otherClusters}").ok().out())
          .contains("\"cluster\":\"eu\"").contains("\"endpoints\":2");
    }
  }

  @Test
  @Order(2)
  void oneClusterCutFromEtcdSaysSoWhileTheOtherStaysReady() {
    Map<String, String> usBefore = ClusterKeys.of(etcd, "us");
    String usReadySince = ready(usApi.client()).orElseThrow().getLastTransitionTime();
    euToEtcd.cut();
    try {
      awaitReady(euApi.client(), "False", "EtcdUnavailable");
      assertThat(ready(usApi.client())).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getLastTransitionTime()).isEqualTo(usReadySince);
      });
      assertThat(ClusterKeys.of(etcd, "us")).isEqualTo(usBefore);
    } finally {
      euToEtcd.restore();
    }
    awaitReady(euApi.client(), "True", "Synced");
    assertThat(ClusterKeys.of(etcd, "us")).isEqualTo(usBefore);
  }

  @Test
  @Order(3)
  void oneClustersOperatorKilledLosesOnlyItsOwnKeysAtTheirTtl() throws Exception {
    await().atMost(WAIT).untilAsserted(() -> assertThat(etcd.values("/services/cart/").keySet()).isEqualTo(UNION));
    Map<String, String> usBefore = ClusterKeys.of(etcd, "us");
    long usLease = Long.parseUnsignedLong(usApi.client().resources(ServiceRegistration.class).inNamespace(NS)
        .withName("cart").get().getStatus().getLeaseId(), 16);
    String usReadySince = ready(usApi.client()).orElseThrow().getLastTransitionTime();
    try (EtcdEvents events = new EtcdEvents(ETCD.client(), "/services/", "/registrar/claims/")) {
      long killed = System.nanoTime();
      euOperator.close(); // SIGKILL
      await().atMost(Duration.ofSeconds(TTL + 15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
          assertThat(etcd.values("/services/cart/")).containsOnlyKeys("/services/cart/10.2.0.1:80"));
      System.out.printf("multi-cluster (real API servers): eu's operator SIGKILLed -> its keys gone after %d ms "
          + "(TTL %d s)%n", (System.nanoTime() - killed) / 1_000_000, TTL);
      assertThat(etcd.value("/registrar/claims/cart/eu")).isEmpty();
      assertThat(etcd.value("/registrar/claims/cart")).as("us still shares the name").isPresent();
      await().atMost(WAIT).untilAsserted(() -> assertThat(others(usApi.client())).isEmpty());
      assertThat(ClusterKeys.of(etcd, "us")).isEqualTo(usBefore);
      assertThat(etcd.lease(usLease).getTTL()).isPositive();
      assertThat(ready(usApi.client())).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getLastTransitionTime()).isEqualTo(usReadySince);
      });
      long touched = ClusterKeys.touched(usBefore.keySet(), events);
      System.out.println("multi-cluster (real API servers): keys of us touched while eu died: " + touched);
      assertThat(touched).isZero();
    }
  }
}
