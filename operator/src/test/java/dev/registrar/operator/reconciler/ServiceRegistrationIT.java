package dev.registrar.operator.reconciler;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.testing.etcd.EtcdEvents;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.etcd.EtcdExtension;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The core loop against the mock API and a real etcd: what a user sees in etcd and in status. */
class ServiceRegistrationIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NS = "shop";
  static final Duration WAIT = Duration.ofSeconds(20);
  static final Map<String, String> APP = Map.of("app", "orders");

  OperatorFixture fixture;
  KubernetesClient client;
  RunningOperator operator;
  EtcdView etcd;

  @BeforeEach
  void start() {
    fixture = OperatorFixture.start(ETCD, "--cluster-name", "test");
    client = fixture.client;
    etcd = fixture.etcd;
    operator = fixture.operator();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  // --- helpers ---------------------------------------------------------------------------

  Resource<ServiceRegistration> registrationResource(String name) {
    return client.resources(ServiceRegistration.class).inNamespace(NS).withName(name);
  }

  ServiceRegistration create(ServiceRegistration registration) {
    return client.resource(registration).create();
  }

  Pod createPod(String name, String ip, Map<String, String> labels, boolean ready) {
    return client.resource(pod(NS, name, ip, labels, ready)).create();
  }

  void editPod(String name, UnaryOperator<Pod> change) {
    client.pods().inNamespace(NS).withName(name).edit(change);
  }

  void setReady(String name, boolean ready) {
    client.pods().inNamespace(NS).withName(name).editStatus(p -> {
      p.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready"))
          .forEach(c -> c.setStatus(ready ? "True" : "False"));
      return p;
    });
  }

  Map<String, String> keys(String service) {
    return etcd.values("/services/" + service + "/");
  }

  Optional<Condition> condition(String name, String type) {
    return fixture.condition(NS, name, type);
  }

  void awaitReady(String name, String status, String reason) {
    fixture.awaitReady(NS, name, status, reason, WAIT);
  }

  static EndpointValue decode(String json) {
    return EndpointCodec.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  List<Event> events(String name, String reason) {
    return fixture.events(NS, name, reason);
  }

  // --- behaviour -------------------------------------------------------------------------

  @Test
  void readyPodsTimesPortsBecomeKeysOnOneLeaseRecordedInStatus() {
    for (int i = 1; i <= 3; i++) {
      createPod("orders-" + i, "10.0.0." + i, APP, true);
    }
    ServiceRegistration created = create(registration(NS, "orders", "orders", APP,
        PortSpec.number("http", 8080), PortSpec.named("grpc", "grpc")));

    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("orders")).hasSize(6));
    Map<String, String> keys = keys("orders");
    assertThat(keys).containsOnlyKeys(
        "/services/orders/10.0.0.1:8080", "/services/orders/10.0.0.1:9090",
        "/services/orders/10.0.0.2:8080", "/services/orders/10.0.0.2:9090",
        "/services/orders/10.0.0.3:8080", "/services/orders/10.0.0.3:9090");
    EndpointValue value = decode(keys.get("/services/orders/10.0.0.2:9090"));
    assertThat(value.address()).isEqualTo("10.0.0.2");
    assertThat(value.port()).isEqualTo(9090);
    assertThat(value.portName()).isEqualTo("grpc");
    assertThat(value.pod()).isEqualTo("orders-2");
    assertThat(value.namespace()).isEqualTo(NS);
    assertThat(value.node()).isEqualTo("node-1");
    assertThat(value.weight()).isEqualTo(100);
    assertThat(value.owner()).isEqualTo(new EndpointValue.Owner("test", NS, "orders",
        created.getMetadata().getUid()));

    awaitReady("orders", "True", "Synced");
    ServiceRegistration current = registrationResource("orders").get();
    assertThat(current.getStatus().getRegisteredEndpoints()).isEqualTo(6);
    assertThat(current.getStatus().getMatchedPods()).isEqualTo(3);
    long lease = Long.parseUnsignedLong(current.getStatus().getLeaseId(), 16);
    assertThat(etcd.leases("/services/orders/").values()).containsOnly(lease);
    // The lease also holds the registration's claim on its service name.
    java.util.List<String> bound = new java.util.ArrayList<>(keys.keySet());
    bound.add("/registrar/claims/orders");
    assertThat(etcd.leaseKeys(lease)).containsExactlyInAnyOrderElementsOf(bound);
    assertThat(etcd.lease(lease).getGrantedTTL()).isEqualTo(30);
    assertThat(condition("orders", "EndpointsAvailable")).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("EndpointsRegistered");
    });
    // One Event per reconcile that registered something: usually one, naming all six; more when
    // the first reconcile ran before the operator's cache had every Pod. Together: six.
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("orders", "Registered").stream()
        .mapToInt(e -> Integer.parseInt(e.getMessage().replaceFirst("^Registered (\\d+) endpoints?: .*$", "$1")))
        .sum()).isEqualTo(6));
    assertThat(events("orders", "Registered"))
        .anySatisfy(e -> assertThat(e.getMessage()).contains("10.0.0.1:8080 (pod orders-1)"));
  }

  @Test
  void aPodThatStopsBeingReadyIsDeregisteredAtOnceAndComesBackWhenReady() {
    createPod("a", "10.0.1.1", APP, true);
    createPod("b", "10.0.1.2", APP, true);
    create(registration(NS, "ready-flip", "ready-flip", APP, PortSpec.number("http", 8080)));
    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("ready-flip")).hasSize(2));
    long untouched = etcd.kvs("/services/ready-flip/10.0.1.2:8080").get(0).getModRevision();

    setReady("a", false);
    // Far sooner than the 30 s TTL: the key is deleted, not left to expire.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(keys("ready-flip")).containsOnlyKeys("/services/ready-flip/10.0.1.2:8080"));
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(registrationResource("ready-flip").get().getStatus().getRegisteredEndpoints()).isEqualTo(1);
      assertThat(events("ready-flip", "Deregistered")).singleElement()
          .satisfies(e -> assertThat(e.getMessage()).isEqualTo("Deregistered 1 endpoint: ready-flip/10.0.1.1:8080"));
    });

    setReady("a", true);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(keys("ready-flip")).containsOnlyKeys(
            "/services/ready-flip/10.0.1.1:8080", "/services/ready-flip/10.0.1.2:8080"));
    // The other Pod's key was never rewritten.
    assertThat(etcd.kvs("/services/ready-flip/10.0.1.2:8080").get(0).getModRevision()).isEqualTo(untouched);
  }

  @Test
  void aTerminatingPodIsDeregisteredAtOnceAndADeletedPodToo() {
    Pod terminating = pod(NS, "t", "10.0.2.1", APP, true);
    terminating.getMetadata().setFinalizers(List.of("test.registrar.dev/hold"));
    client.resource(terminating).create();
    createPod("d", "10.0.2.2", APP, true);
    createPod("stays", "10.0.2.3", APP, true);
    create(registration(NS, "terminate", "terminate", APP, PortSpec.number("http", 80)));
    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("terminate")).hasSize(3));

    // With a finalizer, delete only sets deletionTimestamp: the Pod is terminating, still there.
    client.pods().inNamespace(NS).withName("t").delete();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(keys("terminate")).doesNotContainKey("/services/terminate/10.0.2.1:80"));
    assertThat(client.pods().inNamespace(NS).withName("t").get().getMetadata().getDeletionTimestamp()).isNotNull();

    client.pods().inNamespace(NS).withName("d").delete();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(keys("terminate")).containsOnlyKeys("/services/terminate/10.0.2.3:80"));
  }

  @Test
  void labelsAndIpsDecideMembership() {
    createPod("l", "10.0.3.1", APP, true);
    Pod noIp = pod(NS, "n", "10.0.3.2", APP, true);
    noIp.getStatus().setPodIP(null);
    client.resource(noIp).create();
    create(registration(NS, "labels", "labels", APP, PortSpec.number("http", 80)));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(keys("labels")).containsOnlyKeys("/services/labels/10.0.3.1:80"));
    awaitReady("labels", "True", "Synced");
    assertThat(registrationResource("labels").get().getStatus().getMatchedPods()).isEqualTo(2);

    // Relabelled out of the selector: it leaves the registration.
    editPod("l", p -> {
      p.getMetadata().setLabels(Map.of("app", "other"));
      return p;
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(keys("labels")).isEmpty());
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition("labels", "EndpointsAvailable"))
        .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("NoReadyPods")));

    // Relabelled back: registered again.
    editPod("l", p -> {
      p.getMetadata().setLabels(APP);
      return p;
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(keys("labels")).containsOnlyKeys("/services/labels/10.0.3.1:80"));

    // The Pod without an IP is registered once it has one.
    client.pods().inNamespace(NS).withName("n").editStatus(p -> {
      p.getStatus().setPodIP("10.0.3.2");
      return p;
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(keys("labels")).containsOnlyKeys("/services/labels/10.0.3.1:80", "/services/labels/10.0.3.2:80"));
  }

  @Test
  void otherRegistrationsNamespacesAndOwnersAreNeverTouched() throws Exception {
    client.resource(pod("other", "orders-elsewhere", "10.0.4.9", Map.of("app", "isolated"), true)).create();
    createPod("iso-1", "10.0.4.1", Map.of("app", "isolated"), true);
    createPod("pay-1", "10.0.4.2", Map.of("app", "pay"), true);
    // A key of another cluster, written under the same service path by someone else.
    String foreign = "/services/isolated/10.9.9.9:80";
    ETCD.client().getKVClient().put(io.etcd.jetcd.ByteSequence.from(foreign, StandardCharsets.UTF_8),
        io.etcd.jetcd.ByteSequence.from("{\"address\":\"10.9.9.9\",\"port\":80,\"owner\":{\"cluster\":\"other\"}}",
            StandardCharsets.UTF_8)).get();
    create(registration(NS, "isolated", "isolated", Map.of("app", "isolated"), PortSpec.number("http", 80)));
    create(registration(NS, "pay", "pay", Map.of("app", "pay"), PortSpec.number("http", 80)));
    create(registration("other", "isolated", "isolated-other", Map.of("app", "isolated"), PortSpec.number("http", 80)));

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(keys("isolated")).containsOnlyKeys("/services/isolated/10.0.4.1:80", foreign);
      assertThat(keys("pay")).containsOnlyKeys("/services/pay/10.0.4.2:80");
      assertThat(keys("isolated-other")).containsOnlyKeys("/services/isolated-other/10.0.4.9:80");
    });
    Map<String, String> untouched = etcd.valuesAndRevisions(foreign, "/services/pay/", "/services/isolated-other/");
    assertThat(untouched).hasSize(3);

    client.pods().inNamespace(NS).withName("iso-1").delete();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(keys("isolated")).containsOnlyKeys(foreign));
    // Value and ModRevision of every key of another owner, registration or namespace: as before.
    assertThat(etcd.valuesAndRevisions(foreign, "/services/pay/", "/services/isolated-other/")).isEqualTo(untouched);
  }

  @Test
  void specChangesMoveOrUpdateKeys() {
    createPod("s1", "10.0.5.1", APP, true);
    createPod("s2", "10.0.5.2", APP, true);
    create(registration(NS, "spec", "spec-a", APP, PortSpec.number("http", 80)));
    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("spec-a")).hasSize(2));

    // serviceName: the keys move, the old ones go.
    registrationResource("spec").edit(r -> {
      r.getSpec().setServiceName("spec-b");
      return r;
    });
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(keys("spec-b")).containsOnlyKeys("/services/spec-b/10.0.5.1:80", "/services/spec-b/10.0.5.2:80");
      assertThat(keys("spec-a")).isEmpty();
    });

    // ports: the keys follow.
    registrationResource("spec").edit(r -> {
      r.getSpec().setPorts(List.of(PortSpec.number("http", 81), PortSpec.named("grpc", "grpc")));
      return r;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("spec-b")).containsOnlyKeys(
        "/services/spec-b/10.0.5.1:81", "/services/spec-b/10.0.5.1:9090",
        "/services/spec-b/10.0.5.2:81", "/services/spec-b/10.0.5.2:9090"));
    awaitReady("spec", "True", "Synced");

    // weight, version, metadata: the same keys, updated in place, each written exactly once.
    Map<String, Long> created = new java.util.TreeMap<>();
    Map<String, Long> versions = new java.util.TreeMap<>();
    etcd.kvs("/services/spec-b/").forEach(kv -> {
      created.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getCreateRevision());
      versions.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getVersion());
    });
    long before = etcd.revision();
    registrationResource("spec").edit(r -> {
      r.getSpec().setWeight(5);
      r.getSpec().setVersion("2.0.0");
      r.getSpec().setMetadata(Map.of("team", "payments"));
      return r;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("spec-b").values())
        .allSatisfy(json -> {
          EndpointValue value = decode(json);
          assertThat(value.weight()).isEqualTo(5);
          assertThat(value.version()).isEqualTo("2.0.0");
          assertThat(value.metadata()).isEqualTo(Map.of("team", "payments"));
        }));
    etcd.kvs("/services/spec-b/").forEach(kv -> {
      String key = kv.getKey().toString(StandardCharsets.UTF_8);
      assertThat(kv.getCreateRevision()).as("created once: %s", key).isEqualTo(created.get(key));
      assertThat(kv.getVersion()).as("written once more: %s", key).isEqualTo(versions.get(key) + 1);
    });
    // Four changed keys fit one transaction: etcd's revision grows by one.
    assertThat(etcd.revision()).isEqualTo(before + 1);
  }

  @Test
  void threeHundredPodsAreWrittenInTransactionsOfAtMost128() {
    for (int i = 0; i < 300; i++) {
      createPod("big-" + i, "10.1." + (i / 200) + "." + (i % 200 + 1), Map.of("app", "big"), true);
    }
    long before = etcd.revision();
    create(registration(NS, "big", "big", Map.of("app", "big"), PortSpec.number("http", 80)));
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(keys("big")).hasSize(300));
    awaitReady("big", "True", "Synced");
    assertThat(registrationResource("big").get().getStatus().getRegisteredEndpoints()).isEqualTo(300);
    // The claim and 300 puts in transactions of at most 128 operations, the claim in the first:
    // at least ⌈301 / 128⌉ = 3 transactions (more when the first reconcile saw only some Pods),
    // and never a transaction of more than 128 keys: every revision since holds at most 128.
    assertThat(etcd.revision() - before).isGreaterThanOrEqualTo(3);
    Map<Long, Long> keysPerRevision = etcd.kvs("/services/big/").stream().collect(java.util.stream.Collectors
        .groupingBy(io.etcd.jetcd.KeyValue::getModRevision, java.util.stream.Collectors.counting()));
    assertThat(keysPerRevision.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(128));
  }

  @Test
  void aReconcileThatChangesNothingWritesNothingAndPatchesNoStatus() {
    createPod("noop", "10.0.6.1", APP, true);
    create(registration(NS, "noop", "noop", APP, PortSpec.number("http", 80)));
    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("noop")).hasSize(1));
    awaitReady("noop", "True", "Synced");
    int reconciles = operator.awaitSettled();
    long revision = etcd.revision();
    String resourceVersion = registrationResource("noop").get().getMetadata().getResourceVersion();

    // A change of nothing the operator reads (an annotation of someone else's) reconciles nothing...
    editPod("noop", p -> {
      p.getMetadata().setAnnotations(Map.of("touched", "yes"));
      return p;
    });
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> operator.reconciles() == reconciles);
    // ...a Pod change that does not matter to the registry (a label the selector ignores) is
    // reconciled again...
    editPod("noop", p -> {
      p.getMetadata().getLabels().put("touched", "yes");
      return p;
    });
    await().atMost(WAIT).until(() -> operator.reconciles() > reconciles);
    // ...and for 2 s after, neither etcd nor the registration changes.
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      assertThat(etcd.revision()).isEqualTo(revision);
      assertThat(registrationResource("noop").get().getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
    });
  }

  @Test
  void deletingTheRegistrationRevokesItsLeaseAndRemovesEveryKey() {
    createPod("del-1", "10.0.7.1", APP, true);
    createPod("del-2", "10.0.7.2", APP, true);
    create(registration(NS, "del", "del", APP, PortSpec.number("http", 80), PortSpec.named("grpc", "grpc")));
    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("del")).hasSize(4));
    awaitReady("del", "True", "Synced");
    long lease = Long.parseUnsignedLong(registrationResource("del").get().getStatus().getLeaseId(), 16);
    assertThat(registrationResource("del").get().getMetadata().getFinalizers()).isNotEmpty();

    registrationResource("del").delete();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(registrationResource("del").get()).isNull();
      assertThat(keys("del")).isEmpty();
      assertThat(etcd.lease(lease).getTTL()).isEqualTo(-1);
    });
  }

  @Test
  void deletionWaitsForEtcdAndSaysWhy() {
    createPod("wait-1", "10.0.8.1", APP, true);
    create(registration(NS, "wait", "wait", APP, PortSpec.number("http", 80)));
    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("wait")).hasSize(1));
    awaitReady("wait", "True", "Synced");
    long lease = Long.parseUnsignedLong(registrationResource("wait").get().getStatus().getLeaseId(), 16);

    ETCD.etcd().stopAll();
    registrationResource("wait").delete();
    awaitReady("wait", "False", "EtcdUnavailable");
    ServiceRegistration stuck = registrationResource("wait").get();
    assertThat(stuck.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(stuck.getMetadata().getFinalizers()).isNotEmpty();
    assertThat(condition("wait", "Ready").orElseThrow().getMessage())
        .startsWith("cannot remove the registration's keys, the finalizer stays until etcd confirms");

    ETCD.etcd().startAll();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(registrationResource("wait").get()).isNull());
    assertThat(keys("wait")).isEmpty();
    assertThat(etcd.lease(lease).getTTL()).isEqualTo(-1);
  }

  @Test
  void publishNotReadyAddressesRegistersUnreadyPodsButNeverTerminatingOnes() {
    createPod("pn-ready", "10.0.9.1", APP, true);
    createPod("pn-unready", "10.0.9.2", APP, false);
    Pod terminating = pod(NS, "pn-terminating", "10.0.9.3", APP, false);
    terminating.getMetadata().setFinalizers(List.of("test.registrar.dev/hold"));
    client.resource(terminating).create();
    client.pods().inNamespace(NS).withName("pn-terminating").delete();
    Pod failed = pod(NS, "pn-failed", "10.0.9.4", APP, false);
    failed.getStatus().setPhase("Failed");
    client.resource(failed).create();

    ServiceRegistration registration = registration(NS, "pn", "pn", APP, PortSpec.number("http", 80));
    registration.getSpec().setPublishNotReadyAddresses(true);
    create(registration);
    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("pn"))
        .containsOnlyKeys("/services/pn/10.0.9.1:80", "/services/pn/10.0.9.2:80"));
    awaitReady("pn", "True", "Synced");
    assertThat(registrationResource("pn").get().getStatus().getMatchedPods()).isEqualTo(4);
  }

  @Test
  void aTtlChangeMovesTheKeysToANewLeaseWithoutAGap() throws Exception {
    createPod("ttl-1", "10.0.10.1", APP, true);
    createPod("ttl-2", "10.0.10.2", APP, true);
    create(registration(NS, "ttl", "ttl", APP, PortSpec.number("http", 80)));
    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("ttl")).hasSize(2));
    awaitReady("ttl", "True", "Synced");
    long oldLease = Long.parseUnsignedLong(registrationResource("ttl").get().getStatus().getLeaseId(), 16);

    List<String> deletes;
    try (EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "ttl")) {
      registrationResource("ttl").edit(r -> {
        r.getSpec().setLeaseTTLSeconds(60);
        return r;
      });
      await().atMost(WAIT).untilAsserted(() -> {
        String leaseId = registrationResource("ttl").get().getStatus().getLeaseId();
        assertThat(Long.parseUnsignedLong(leaseId, 16)).isNotEqualTo(oldLease);
        assertThat(etcd.lease(oldLease).getTTL()).isEqualTo(-1);
      });
      long newLease = Long.parseUnsignedLong(registrationResource("ttl").get().getStatus().getLeaseId(), 16);
      assertThat(etcd.lease(newLease).getGrantedTTL()).isEqualTo(60);
      assertThat(etcd.leases("/services/ttl/").values()).containsOnly(newLease);
      assertThat(keys("ttl")).hasSize(2);
      deletes = events.deletes();
    }
    assertThat(deletes).as("keys deleted while moving to the new lease").isEmpty();
  }

  @Test
  void anInvalidSpecGetsAConditionAndAWarningAndWritesNothing() {
    createPod("bad-1", "10.0.11.1", APP, true);
    long before = etcd.revision();
    // The mock API does not validate, like a cluster running an older CRD.
    create(registration(NS, "bad", "Bad_Name", APP, PortSpec.number("http", 80)));
    awaitReady("bad", "False", "InvalidSpec");
    assertThat(condition("bad", "Ready").orElseThrow().getMessage())
        .startsWith("spec.serviceName 'Bad_Name' must be a DNS-1123 label");
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("bad", "InvalidSpec")).singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning")));
    assertThat(etcd.revision()).isEqualTo(before);

    // Fixed: it registers.
    registrationResource("bad").edit(r -> {
      r.getSpec().setServiceName("fixed");
      return r;
    });
    awaitReady("bad", "True", "Synced");
    assertThat(keys("fixed")).containsOnlyKeys("/services/fixed/10.0.11.1:80");
  }

  @Test
  void anEtcdOutageIsReportedAndRepairedWhenEtcdReturns() {
    createPod("out-1", "10.0.12.1", APP, true);
    createPod("out-2", "10.0.12.2", APP, true);
    create(registration(NS, "outage", "outage", APP, PortSpec.number("http", 80)));
    await().atMost(WAIT).untilAsserted(() -> assertThat(keys("outage")).hasSize(2));
    awaitReady("outage", "True", "Synced");

    ETCD.etcd().stopAll();
    setReady("out-2", false);
    awaitReady("outage", "False", "EtcdUnavailable");
    assertThat(condition("outage", "Ready").orElseThrow().getMessage()).startsWith("etcd unreachable since ")
        .contains("no change is registered until etcd answers again");
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("outage", "EtcdUnavailable")).hasSize(1));

    ETCD.etcd().startAll();
    awaitReady("outage", "True", "Synced");
    assertThat(keys("outage")).containsOnlyKeys("/services/outage/10.0.12.1:80");
  }
}
