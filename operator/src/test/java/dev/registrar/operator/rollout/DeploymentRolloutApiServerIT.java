package dev.registrar.operator.rollout;

import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.apiserver.RealCluster;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.testing.OperatorProcess;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.KubeletRules;
import dev.registrar.testing.kubernetes.KubeletlessCluster;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import dev.registrar.testing.kubernetes.SimulatedKubelet;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real Deployments on a real control plane (kube-apiserver, kube-controller-manager, the
 * simulated kubelet), with the operator jar and a real etcd: the readiness gate holds a rolling
 * update back until the registry has each new Pod, and keys follow scaling, a drained Node and a
 * deleted Deployment. Consumers judge it: the etcd keys, the Java ServiceDiscovery and the seed
 * article's Go program.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeploymentRolloutApiServerIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NS = "shop";
  static final int PORT = 8080;
  static final int REPLICAS = 4;
  /** A container's start: the image is there, the process comes up and its readiness probe passes. */
  static final Duration START = Duration.ofMillis(300);
  /** SIGTERM to exit. */
  static final Duration STOP = Duration.ofSeconds(1);
  static final Duration WAIT = Duration.ofSeconds(60);

  KubeletlessCluster cluster;
  KubernetesClient client;
  OperatorProcess operator;
  Path dir;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("registrar-deployments-");
    cluster = KubeletlessCluster.start(SimulatedKubelet.Options.realApiServer(START, STOP),
        SimulatedKubelet.nodes("node", 3, "eu-west-1a", "eu-west-1b"));
    client = cluster.client();
    RealKubeApiServer api = cluster.api();
    RealCluster.installCrd(api);
    api.namespace(NS);
    operator = OperatorProcess.launch(List.of(), Map.of(
        "REGISTRAR_ETCD_ENDPOINTS", ETCD.endpointList(),
        "REGISTRAR_WATCH_NAMESPACES", NS,
        "REGISTRAR_NAME_POLICY", "any",
        "KUBECONFIG", api.kubeconfig().toString()), dir.resolve("operator.log"));
  }

  @AfterAll
  void stop() {
    if (operator != null) {
      operator.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void aRolloutRestartWithTheGateNeverRunsAheadOfTheRegistry() throws Exception {
    RolloutFigures figures = rolloutRestart("orders", true);
    figures.print();
    figures.report().assertHeld(REPLICAS);
    assertThat(figures.report().gateMillis()).hasSizeGreaterThanOrEqualTo(REPLICAS);
  }

  /** The reason the gate exists: the same rollout without it runs ahead of the registry. */
  @Test
  @Order(2)
  void theSameRolloutWithoutTheGateRunsAheadOfTheRegistry() throws Exception {
    RolloutFigures figures = rolloutRestart("nogate", false);
    figures.print();
    assertThatThrownBy(() -> figures.report().assertHeld(REPLICAS))
        .satisfies(failure -> System.out.println("gate off, as expected the rollout broke the promise:\n"
            + failure.getMessage()))
        .hasMessageContaining("Pods Ready while etcd lacked their key");
  }

  @Test
  @Order(3)
  void keysFollowScalingFromFourToEightToTwo() throws Exception {
    deploy("scale", true);
    try (RegistryObserver observer = observe("scale")) {
      observer.resetFewest();
      scale("scale", 8);
      awaitRegistryMatchesPods("scale", 8, observer);
      assertThat(observer.report().fewestKeys()).isEqualTo(REPLICAS);
      scale("scale", 2);
      awaitRegistryMatchesPods("scale", 2, observer);
      assertThat(observer.report().keyOutlivedPod()).isEmpty();
      assertThat(observer.report().readyAheadOfRegistry()).isEmpty();
    }
  }

  @Test
  @Order(4)
  void aDrainedNodesPodsLeaveTheRegistryBeforeThePodsGo() throws Exception {
    deploy("drain", true);
    try (RegistryObserver observer = observe("drain")) {
      observer.resetFewest();
      String node = runningPods("drain").get(0).getSpec().getNodeName();
      Set<String> onNode = runningPods("drain").stream().filter(p -> node.equals(p.getSpec().getNodeName()))
          .map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
      assertThat(onNode).isNotEmpty();
      var drained = cluster.api().kubectl("drain", node, "--ignore-daemonsets", "--delete-emptydir-data",
          "--timeout=60s");
      assertThat(drained.exit()).as("%s", drained).isZero();
      awaitRegistryMatchesPods("drain", REPLICAS, observer);
      assertThat(runningPods("drain")).noneMatch(p -> node.equals(p.getSpec().getNodeName()));
      assertThat(observer.report().keyOutlivedPod()).isEmpty();
      assertThat(observer.report().readyAheadOfRegistry()).isEmpty();
      cluster.api().kubectl("uncordon", node).ok();
    }
  }

  @Test
  @Order(5)
  void aDeletedDeploymentsKeysLeaveAndItsRegistrationStaysReadyWithNoEndpoints() throws Exception {
    deploy("gone", true);
    try (RegistryObserver observer = observe("gone")) {
      cluster.api().kubectl("delete", "deployment", "gone", "-n", NS, "--wait=true", "--timeout=60s").ok();
      await().atMost(WAIT).until(() -> pods("gone").isEmpty());
      await().atMost(WAIT).until(() -> observer.keys().isEmpty());
      assertThat(observer.report().keyOutlivedPod()).isEmpty();
      await().atMost(WAIT).untilAsserted(() -> {
        ServiceRegistration registration = client.resources(ServiceRegistration.class).inNamespace(NS)
            .withName("gone").get();
        assertThat(registration.getStatus().getRegisteredEndpoints()).isZero();
        assertThat(registration.getStatus().getConditions())
            .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
      });
    }
  }

  /** Deploys {@code name} (4 replicas, with or without the gate), restarts it, and observes the rollout. */
  RolloutFigures rolloutRestart(String name, boolean gate) throws Exception {
    deploy(name, gate);
    try (RegistryObserver observer = observe(name)) {
      Set<String> before = observer.keys();
      observer.resetFewest();
      long started = System.nanoTime();
      cluster.api().kubectl("rollout", "restart", "deployment/" + name, "-n", NS).ok();
      var status = cluster.api().kubectl("rollout", "status", "deployment/" + name, "-n", NS, "--timeout=60s");
      long rolled = System.nanoTime() - started;
      assertThat(status.exit()).as("%s", status).isZero();
      awaitRegistryMatchesPods(name, REPLICAS, observer);
      assertThat(observer.keys()).doesNotContainAnyElementsOf(before);
      return new RolloutFigures(name, gate, Duration.ofNanos(rolled), observer.report());
    }
  }

  record RolloutFigures(String name, boolean gate, Duration took, RegistryObserver.Report report) {
    void print() {
      String gateFigures = report.gateMillis().isEmpty() ? "no gate"
          : "ContainersReady -> gate True p50 %d ms, p99 %d ms (%d Pods)".formatted(report.gatePercentile(50),
              report.gatePercentile(99), report.gateMillis().size());
      System.out.printf("rollout %s (gate %s): %d replicas rolled in %d ms; fewest endpoints seen: etcd %d, Java %d,"
          + " Go %d; %s%n", name, gate ? "on" : "off", REPLICAS, took.toMillis(), report.fewestKeys(),
          report.fewestJava(), report.fewestGo(), gateFigures);
    }
  }

  RegistryObserver observe(String name) throws Exception {
    return new RegistryObserver(ETCD.client(), ETCD.endpointList(), client, NS, name, name, PORT, dir);
  }

  /** A registration and its Deployment of 4, rolled out and registered. */
  void deploy(String name, boolean gate) {
    client.resource(registration(NS, name, name, Map.of("app", name), PortSpec.number("http", PORT))).create();
    client.resource(deployment(name, gate)).create();
    var status = cluster.api().kubectl("rollout", "status", "deployment/" + name, "-n", NS, "--timeout=60s");
    assertThat(status.exit()).as("%s", status).isZero();
    await().atMost(WAIT).until(() -> etcdKeys(name).size() == REPLICAS);
  }

  void scale(String name, int replicas) {
    cluster.api().kubectl("scale", "deployment/" + name, "-n", NS, "--replicas=" + replicas).ok();
  }

  /** Until the registry holds exactly the running, Ready Pods' keys and there are {@code replicas} of them. */
  void awaitRegistryMatchesPods(String name, int replicas, RegistryObserver observer) {
    await().atMost(WAIT).untilAsserted(() -> {
      List<Pod> pods = pods(name);
      assertThat(pods).hasSize(replicas).allSatisfy(p -> {
        assertThat(p.getMetadata().getDeletionTimestamp()).isNull();
        assertThat(KubeletRules.conditionStatus(p.getStatus(), "Ready")).isEqualTo("True");
      });
      assertThat(observer.keys()).isEqualTo(pods.stream().map(p -> observer.key(p.getStatus().getPodIP()))
          .collect(Collectors.toCollection(java.util.TreeSet::new)));
    });
  }

  Set<String> etcdKeys(String name) throws Exception {
    return ETCD.client().getKVClient().get(io.etcd.jetcd.ByteSequence.from("/services/" + name + "/",
            java.nio.charset.StandardCharsets.UTF_8), io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build())
        .get().getKvs().stream().map(kv -> kv.getKey().toString(java.nio.charset.StandardCharsets.UTF_8))
        .collect(Collectors.toSet());
  }

  List<Pod> pods(String app) {
    return client.pods().inNamespace(NS).withLabel("app", app).list().getItems();
  }

  List<Pod> runningPods(String app) {
    return pods(app).stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  static Deployment deployment(String name, boolean gate) {
    DeploymentBuilder builder = new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec().withReplicas(REPLICAS)
        .withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(0)).withMaxSurge(new IntOrString(1)).endRollingUpdate().endStrategy()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("registry.example/" + name + ":1")
        .addNewPort().withName("http").withContainerPort(PORT).endPort().endContainer()
        .endSpec().endTemplate().endSpec();
    if (gate) {
      builder.editSpec().editTemplate().editSpec().addNewReadinessGate().withConditionType(PodReadiness.GATE)
          .endReadinessGate().endSpec().endTemplate().endSpec();
    }
    return builder.build();
  }
}
