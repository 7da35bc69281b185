package dev.registrar.operator.rollout;

import static dev.registrar.operator.testing.TestObjects.gatedPod;
import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceDiscovery;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.etcd.EtcdEvents;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rollouts with the readiness gate, zones from Node labels, and per-Pod overrides: the operator
 * against the mock API and a real etcd. The test plays the kubelet: it turns ContainersReady, and
 * a Pod counts as Ready when ContainersReady and its gate are both True, as the kubelet decides.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NS = "shop";
  static final Duration WAIT = Duration.ofSeconds(20);

  MockKubernetesApi api;
  KubernetesClient client;
  RunningOperator operator;
  EtcdView etcd;
  SharedIndexInformer<Pod> kubeletView;
  // Pods seen Ready (ContainersReady and gate True) while etcd did not have their key.
  final List<String> readyAheadOfRegistry = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() {
    api = MockKubernetesApi.start();
    client = api.client();
    etcd = new EtcdView(ETCD.client());
    node("node-1", "eu-west-1a");
    node("node-2", "eu-west-1b");
    operator = RunningOperator.start(api, ETCD.endpointList());
    // Whenever a gated Pod would turn Ready, etcd must already have its key.
    kubeletView = client.pods().inNamespace(NS).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        check(pod);
      }

      @Override
      public void onUpdate(Pod before, Pod pod) {
        // Only a turn to Ready is checked: reading etcd for a Pod that was Ready already would
        // fail (and prove nothing) while a test keeps etcd stopped.
        if (!kubeletReady(before)) {
          check(pod);
        }
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {}
    });
  }

  @AfterAll
  void stop() {
    kubeletView.close();
    operator.close();
    api.close();
  }

  void check(Pod pod) {
    if (PodReadiness.hasGate(pod) && kubeletReady(pod) && pod.getMetadata().getDeletionTimestamp() == null
        && etcd.values("/services/").keySet().stream().noneMatch(k -> k.endsWith("/" + pod.getStatus().getPodIP() + ":8080"))) {
      readyAheadOfRegistry.add(pod.getMetadata().getName());
    }
  }

  void node(String name, String zone) {
    var builder = new NodeBuilder().withNewMetadata().withName(name).endMetadata();
    if (zone != null) {
      builder.editMetadata().addToLabels("topology.kubernetes.io/zone", zone).endMetadata();
    }
    client.resource(builder.build()).create();
  }

  ServiceRegistration register(String name, Map<String, String> labels) {
    ServiceRegistration registration = registration(NS, name, name, labels, PortSpec.number("http", 8080));
    return client.resource(registration).create();
  }

  Pod create(Pod pod) {
    return client.resource(pod).create();
  }

  Pod fetched(String name) {
    return client.pods().inNamespace(NS).withName(name).get();
  }

  static Optional<PodCondition> gate(Pod pod) {
    return pod == null ? Optional.empty() : PodReadiness.condition(pod, PodReadiness.GATE);
  }

  String gateOf(String pod) {
    return gate(fetched(pod)).map(c -> c.getStatus() + "/" + c.getReason()).orElse("none");
  }

  /** What the kubelet decides: Ready once the containers are ready and every gate is True. */
  static boolean kubeletReady(Pod pod) {
    return PodReadiness.isContainersReady(pod) && gate(pod).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  /** The kubelet's side: ContainersReady flips, by a JSON Patch of that one condition (index 1 in a gated Pod). */
  void containersReady(String pod, boolean ready) {
    client.pods().inNamespace(NS).withName(pod).subresource("status").patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"test\",\"path\":\"/status/conditions/1/type\",\"value\":\"ContainersReady\"},"
            + "{\"op\":\"replace\",\"path\":\"/status/conditions/1/status\",\"value\":\"" + (ready ? "True" : "False") + "\"},"
            + "{\"op\":\"replace\",\"path\":\"/status/conditions/1/lastTransitionTime\",\"value\":\""
            + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\"}]");
  }

  Map<String, String> keys(String service) {
    return etcd.values("/services/" + service + "/");
  }

  EndpointValue value(String key) {
    return EndpointCodec.decode(etcd.value(key).orElseThrow().getBytes(UTF_8));
  }

  KeyValue kv(String key) {
    return etcd.kvs(key).stream().filter(kv -> kv.getKey().toString(UTF_8).equals(key)).findFirst().orElseThrow();
  }

  @Test
  @Order(1)
  void aRollingUpdateOfGatedPodsNeverRunsAheadOfTheRegistry() {
    Map<String, String> web = Map.of("app", "web");
    register("web", web);
    for (int i = 0; i < 3; i++) {
      create(gatedPod(NS, "web-old-" + i, "10.1.0." + i, web, true));
    }
    await().atMost(WAIT).until(() -> keys("web").size() == 3);
    await().atMost(WAIT).until(() -> List.of(0, 1, 2).stream().allMatch(i -> kubeletReady(fetched("web-old-" + i))));

    for (int i = 0; i < 3; i++) {
      String fresh = "web-new-" + i;
      Pod pod = gatedPod(NS, fresh, "10.1.1." + i, web, false);
      pod.getSpec().setNodeName("node-2");
      create(pod);
      containersReady(fresh, true);
      // The ReplicaSet waits for Ready before it removes an old Pod: Ready means the key exists.
      await().atMost(WAIT).until(() -> kubeletReady(fetched(fresh)));
      assertThat(keys("web")).containsKey("/services/web/10.1.1." + i + ":8080");
      assertThat(keys("web")).hasSize(4);
      client.pods().inNamespace(NS).withName("web-old-" + i).delete();
      String old = "/services/web/10.1.0." + i + ":8080";
      await().atMost(WAIT).until(() -> !keys("web").containsKey(old));
      assertThat(keys("web")).hasSize(3);
    }

    assertThat(readyAheadOfRegistry).isEmpty();
    assertThat(keys("web")).containsOnlyKeys("/services/web/10.1.1.0:8080", "/services/web/10.1.1.1:8080",
        "/services/web/10.1.1.2:8080");
    assertThat(value("/services/web/10.1.1.0:8080").zone()).isEqualTo("eu-west-1b");
    assertThat(fetched("web-new-0").getStatus().getPodIP()).isEqualTo("10.1.1.0");
    assertThat(gate(fetched("web-new-0")).orElseThrow().getMessage())
        .isEqualTo("registered in etcd by ServiceRegistration shop/web: /services/web/10.1.1.0:8080");
  }

  @Test
  @Order(2)
  void aGatedPodWhoseContainersStopBeingReadyLosesItsKeyAndItsGate() {
    Map<String, String> cart = Map.of("app", "cart");
    register("cart", cart);
    create(gatedPod(NS, "cart-1", "10.2.0.1", cart, true));
    await().atMost(WAIT).until(() -> gateOf("cart-1").equals("True/Registered"));

    containersReady("cart-1", false);

    await().atMost(WAIT).until(() -> gateOf("cart-1").equals("False/Deregistered"));
    assertThat(keys("cart")).isEmpty();
  }

  @Test
  @Order(3)
  void anUngatedPodIsRegisteredOnReadyAndGetsNoCondition() {
    Map<String, String> plain = Map.of("app", "plain");
    register("plain", plain);
    create(pod(NS, "plain-1", "10.3.0.1", plain, true));

    await().atMost(WAIT).until(() -> keys("plain").containsKey("/services/plain/10.3.0.1:8080"));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> gate(fetched("plain-1")).isEmpty());
    assertThat(fetched("plain-1").getStatus().getConditions()).extracting(PodCondition::getType).containsExactly("Ready");
  }

  @Test
  @Order(4)
  void aGatedPodThatNoRegistrationSelectsSaysWhyUntilOneDoesAndAgainWhenItIsGone() {
    Map<String, String> orphan = Map.of("app", "orphan");
    create(gatedPod(NS, "orphan-1", "10.4.0.1", orphan, true));

    await().atMost(WAIT).until(() -> gateOf("orphan-1").equals("False/NotSelected"));
    assertThat(gate(fetched("orphan-1")).orElseThrow().getMessage())
        .isEqualTo("no ServiceRegistration in namespace shop selects this Pod, so it is not registered in etcd");

    register("orphan", orphan);
    await().atMost(WAIT).until(() -> gateOf("orphan-1").equals("True/Registered"));
    assertThat(keys("orphan")).containsKey("/services/orphan/10.4.0.1:8080");

    client.resources(ServiceRegistration.class).inNamespace(NS).withName("orphan").delete();
    await().atMost(WAIT).until(() -> gateOf("orphan-1").equals("False/NotSelected"));
    assertThat(keys("orphan")).isEmpty();
  }

  @Test
  @Order(5)
  void theValueCarriesTheNodesZoneAndARelabelledNodeRewritesIt() throws InterruptedException {
    node("node-z", "eu-west-1a");
    node("node-bare", null);
    Map<String, String> maps = Map.of("app", "maps");
    register("maps", maps);
    Pod zoned = pod(NS, "maps-1", "10.5.0.1", maps, true);
    zoned.getSpec().setNodeName("node-z");
    Pod bare = pod(NS, "maps-2", "10.5.0.2", maps, true);
    bare.getSpec().setNodeName("node-bare");
    create(zoned);
    create(bare);
    await().atMost(WAIT).until(() -> keys("maps").size() == 2);
    assertThat(value("/services/maps/10.5.0.1:8080").zone()).isEqualTo("eu-west-1a");
    assertThat(etcd.value("/services/maps/10.5.0.2:8080").orElseThrow()).doesNotContain("zone");
    long created = kv("/services/maps/10.5.0.1:8080").getCreateRevision();
    long bareRevision = kv("/services/maps/10.5.0.2:8080").getModRevision();

    // A heartbeat (the kubelet's status write) and a label other than the zone reconcile nothing:
    // the Node informer's filter lets zone changes through only (docs/design.md).
    int settled = operator.awaitSettled();
    client.nodes().withName("node-z").editStatus(n -> {
      n.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder().addNewCondition().withType("Ready")
          .withStatus("True").withLastHeartbeatTime(Instant.now().toString()).endCondition().build());
      return n;
    });
    client.nodes().withName("node-z").edit(n -> {
      n.getMetadata().getLabels().put("node.kubernetes.io/instance-type", "m7i.large");
      return n;
    });
    client.nodes().withName("node-bare").edit(n -> {
      n.getMetadata().setLabels(new java.util.HashMap<>(Map.of("kubernetes.io/os", "linux")));
      return n;
    });
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> operator.reconciles() == settled);

    client.nodes().withName("node-z").edit(n -> {
      n.getMetadata().getLabels().put("topology.kubernetes.io/zone", "eu-west-1c");
      return n;
    });

    await().atMost(WAIT).until(() -> "eu-west-1c".equals(value("/services/maps/10.5.0.1:8080").zone()));
    // The zone change alone reconciled: one registration (maps), once.
    assertThat(operator.awaitSettled()).isEqualTo(settled + 1);
    assertThat(kv("/services/maps/10.5.0.1:8080").getCreateRevision()).isEqualTo(created);
    assertThat(kv("/services/maps/10.5.0.2:8080").getModRevision()).isEqualTo(bareRevision);

    // The client library's zone-aware pick reads the field: a caller in eu-west-1c gets maps-1 only.
    try (ServiceDiscovery discovery = ServiceDiscovery.watch(ETCD.client(), RegistryPrefix.DEFAULT, "maps")) {
      assertThat(discovery.awaitInitialSync(Duration.ofSeconds(10))).isTrue();
      java.util.Random random = new java.util.Random(7);
      assertThat(java.util.stream.IntStream.range(0, 20)
          .mapToObj(i -> discovery.pickInZone("maps", "eu-west-1c", random).orElseThrow().value().pod()).distinct())
          .containsExactly("maps-1");
      assertThat(java.util.stream.IntStream.range(0, 50)
          .mapToObj(i -> discovery.pickInZone("maps", "eu-west-1a", random).orElseThrow().value().pod()).distinct())
          .as("no instance left in eu-west-1a: all of them").containsExactlyInAnyOrder("maps-1", "maps-2");
    }
  }

  @Test
  @Order(6)
  void aCanaryAnnotationRewritesOnlyItsPodsKeyAndABadOneIsIgnoredWithAWarningOnThePod() {
    Map<String, String> pay = Map.of("app", "pay");
    ServiceRegistration registration = registration(NS, "pay", "pay", pay, PortSpec.number("http", 8080));
    registration.getSpec().setVersion("1.4.0");
    client.resource(registration).create();
    create(pod(NS, "pay-1", "10.6.0.1", pay, true));
    create(pod(NS, "pay-2", "10.6.0.2", pay, true));
    await().atMost(WAIT).until(() -> keys("pay").size() == 2);
    KeyValue stable = kv("/services/pay/10.6.0.1:8080");
    KeyValue canaryBefore = kv("/services/pay/10.6.0.2:8080");

    client.pods().inNamespace(NS).withName("pay-2").edit(p -> {
      p.getMetadata().getAnnotations().putAll(Map.of("registrar.dev/weight", "5",
          "registrar.dev/version", "2.0.0-rc1", "metadata.registrar.dev/track", "canary"));
      return p;
    });

    await().atMost(WAIT).until(() -> "2.0.0-rc1".equals(value("/services/pay/10.6.0.2:8080").version()));
    EndpointValue canary = value("/services/pay/10.6.0.2:8080");
    assertThat(canary.weight()).isEqualTo(5);
    assertThat(canary.metadata()).containsEntry("track", "canary");
    KeyValue canaryAfter = kv("/services/pay/10.6.0.2:8080");
    assertThat(canaryAfter.getCreateRevision()).isEqualTo(canaryBefore.getCreateRevision());
    assertThat(canaryAfter.getVersion()).isEqualTo(canaryBefore.getVersion() + 1);
    assertThat(kv("/services/pay/10.6.0.1:8080").getModRevision()).isEqualTo(stable.getModRevision());

    client.pods().inNamespace(NS).withName("pay-1").edit(p -> {
      p.getMetadata().getAnnotations().put("registrar.dev/weight", "heavy");
      return p;
    });

    await().atMost(WAIT).until(() -> client.v1().events().inNamespace(NS).list().getItems().stream()
        .anyMatch(e -> "pay-1".equals(e.getInvolvedObject().getName()) && "Pod".equals(e.getInvolvedObject().getKind())
            && "OverrideIgnored".equals(e.getReason()) && "Warning".equals(e.getType())
            && e.getMessage().startsWith("registrar.dev/weight='heavy' ignored: it must be a whole number from 0 to 10000")));
    await().atMost(WAIT).until(() -> readyMessage("pay").contains("1 pod has ignored registrar.dev annotations"));
    assertThat(value("/services/pay/10.6.0.1:8080").weight()).isEqualTo(100);
    assertThat(keys("pay")).hasSize(2);
  }

  String readyMessage(String registration) {
    ServiceRegistration current = client.resources(ServiceRegistration.class).inNamespace(NS).withName(registration).get();
    return current.getStatus() == null ? "" : current.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Ready")).map(c -> c.getStatus() + " " + c.getMessage()).findFirst().orElse("");
  }

  @Test
  @Order(7)
  void withEtcdStoppedANewGatedPodStaysUnreadyAndTheOldOnesKeepTheirKeys() throws Exception {
    Map<String, String> api = Map.of("app", "api");
    register("api", api);
    create(gatedPod(NS, "api-old", "10.7.0.1", api, true));
    await().atMost(WAIT).until(() -> gateOf("api-old").equals("True/Registered"));
    KeyValue old = kv("/services/api/10.7.0.1:8080");

    ETCD.etcd().killAll();
    try {
      create(gatedPod(NS, "api-new", "10.7.0.2", api, true));
      await().atMost(Duration.ofSeconds(30)).until(() -> gateOf("api-new").equals("False/EtcdUnavailable"));
      assertThat(kubeletReady(fetched("api-new"))).isFalse();
      assertThat(gateOf("api-old")).isEqualTo("True/Registered"); // its key stays in etcd meanwhile
    } finally {
      ETCD.etcd().startAll();
    }

    await().atMost(WAIT).until(() -> gateOf("api-new").equals("True/Registered"));
    assertThat(keys("api")).containsKey("/services/api/10.7.0.2:8080");
    KeyValue kept = kv("/services/api/10.7.0.1:8080");
    assertThat(kept.getCreateRevision()).isEqualTo(old.getCreateRevision());
    assertThat(kept.getLease()).isEqualTo(old.getLease());
    assertThat(readyAheadOfRegistry).isEmpty();
  }

  /** Someone edits or deletes the gate's condition by hand: it is back within a second, with no flap in etcd. */
  @Test
  @Order(20)
  void aGateConditionEditedOrDeletedByHandIsPutBackWithinASecond() {
    Map<String, String> hand = Map.of("app", "hand");
    register("hand", hand);
    create(gatedPod(NS, "hand-1", "10.20.0.1", hand, true));
    await().atMost(WAIT).until(() -> gateOf("hand-1").equals("True/Registered"));
    long keyRevision = kv("/services/hand/10.20.0.1:8080").getModRevision();

    try (EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "hand")) {
      client.pods().inNamespace(NS).withName("hand-1").editStatus(p -> {
        gate(p).orElseThrow().setStatus("False");
        gate(p).orElseThrow().setReason("EditedByHand");
        return p;
      });
      await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
          .until(() -> gateOf("hand-1").equals("True/Registered"));

      client.pods().inNamespace(NS).withName("hand-1").editStatus(p -> {
        p.getStatus().getConditions().removeIf(c -> PodReadiness.GATE.equals(c.getType()));
        return p;
      });
      await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
          .until(() -> gateOf("hand-1").equals("True/Registered"));
      // The registry was never touched: the condition is the gate's, not the key's.
      assertThat(events.puts()).isEmpty();
      assertThat(events.deletes()).isEmpty();
    }
    assertThat(kv("/services/hand/10.20.0.1:8080").getModRevision()).isEqualTo(keyRevision);
  }

  /**
   * Two registrations select one gated Pod: it turns Ready only once both hold its keys. (The
   * first by name used to decide alone: "alpha" registered it while "beta" could not.)
   */
  @Test
  @Order(21)
  void aPodSelectedByTwoRegistrationsIsReadyOnlyWhenBothHoldItsKeys() {
    Map<String, String> both = Map.of("app", "both");
    // "beta" wants a service name that "holder" has claimed: Conflict, no key for the Pod.
    client.resource(registration(NS, "holder", "beta-svc", Map.of("app", "nobody"), PortSpec.number("http", 8080))).create();
    await().atMost(WAIT).until(() -> etcd.value("/registrar/claims/beta-svc").isPresent());
    client.resource(registration(NS, "alpha", "alpha-svc", both, PortSpec.number("http", 8080))).create();
    client.resource(registration(NS, "beta", "beta-svc", both, PortSpec.number("grpc", 9090))).create();
    create(gatedPod(NS, "both-1", "10.21.0.1", both, true));

    await().atMost(WAIT).until(() -> keys("alpha-svc").containsKey("/services/alpha-svc/10.21.0.1:8080"));
    await().atMost(WAIT).until(() -> gateOf("both-1").equals("False/RegistrationNotReady"));
    assertThat(gate(fetched("both-1")).orElseThrow().getMessage()).startsWith("ServiceRegistration shop/beta is not Ready (Conflict)");
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> gateOf("both-1").equals("False/RegistrationNotReady"));

    // The name is free: beta registers the Pod too, and only now does it turn Ready.
    client.resources(ServiceRegistration.class).inNamespace(NS).withName("holder").delete();
    await().atMost(WAIT).until(() -> gateOf("both-1").equals("True/Registered"));
    assertThat(keys("beta-svc")).containsKey("/services/beta-svc/10.21.0.1:9090");
    assertThat(gate(fetched("both-1")).orElseThrow().getMessage()).isEqualTo(
        "registered in etcd by all 2 ServiceRegistrations that select it: registered in etcd by ServiceRegistration "
            + "shop/alpha: /services/alpha-svc/10.21.0.1:8080; registered in etcd by ServiceRegistration shop/beta: "
            + "/services/beta-svc/10.21.0.1:9090");
    assertThat(readyAheadOfRegistry).isEmpty();
  }
}
