package dev.registrar.operator.reconciler;

import static dev.registrar.operator.testing.TestObjects.gatedPod;
import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.RegistryPrefix;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.etcd.Availability;
import dev.registrar.operator.etcd.RegistryCounters;
import dev.registrar.operator.metrics.RegistrarMetrics;
import dev.registrar.operator.model.Conditions;
import dev.registrar.operator.model.GateCondition;
import dev.registrar.operator.model.NamePolicy;
import dev.registrar.operator.model.RegistryContext;
import dev.registrar.operator.model.StoredKey;
import dev.registrar.operator.store.InMemoryRegistrationStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler on the in-memory store: every lease, ownership and conflict path, in
 * milliseconds. The same paths against real etcd are the ITs' job.
 */
class ServiceRegistrationReconcilerTest {

  static final String NS = "shop";
  static final String CLUSTER = "test";
  static final Map<String, String> APP = Map.of("app", "orders");
  static final String PATH = "/services/orders/";
  static final String CLAIM = "/registrar/claims/orders";

  final InMemoryRegistrationStore.TestClock clock = new InMemoryRegistrationStore.TestClock();
  final InMemoryRegistrationStore store = new InMemoryRegistrationStore(clock);
  final List<String> events = new ArrayList<>();
  final List<String> gates = new ArrayList<>();
  final List<ResourceID> triggered = new ArrayList<>();
  final List<Pod> pods = new ArrayList<>();
  ScheduledExecutorService scheduler;
  ServiceRegistrationReconciler reconciler;
  ServiceRegistration orders;

  @BeforeEach
  void setUp() {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    reconciler = newReconciler();
    orders = withIdentity(registration(NS, "orders", "orders", APP, PortSpec.number("http", 8080)), "uid-orders");
    pods.add(pod(NS, "orders-1", "10.0.0.1", APP, true));
    pods.add(pod(NS, "orders-2", "10.0.0.2", APP, true));
  }

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  /** A reconciler as a (re)started process has it: no state but what the registration's status says. */
  ServiceRegistrationReconciler newReconciler() {
    EventSink sink = new EventSink() {
      @Override
      public void normal(HasMetadata resource, String reason, String message) {
        events.add("Normal " + reason + ": " + message);
      }

      @Override
      public void warning(HasMetadata resource, String reason, String message) {
        events.add("Warning " + reason + ": " + message);
      }
    };
    Availability up = new Availability() {
      @Override
      public Optional<Outage> outage() {
        return Optional.empty();
      }

      @Override
      public boolean failing() {
        return false;
      }
    };
    RegistryCounters counters = new RegistryCounters();
    ServiceRegistrationReconciler created = new ServiceRegistrationReconciler(
        new RegistryContext(RegistryPrefix.DEFAULT, CLUSTER), store, new RegistrationStates(), up,
        NamePolicy.ANY, sink, new EventCoalescer(sink, clock, Duration.ZERO, scheduler), clock, counters,
        new RegistrarMetrics(counters), new GateWriter() {
          @Override
          public void write(Pod pod, GateCondition next) {
            if (!next.isShownBy(pod)) { // as the real writer: only a change is written
              gates.add(pod.getMetadata().getName() + " " + next.status() + "/" + next.reason());
            }
          }

          @Override
          public void forget(Pod pod) {}
        });
    created.usePods(registration -> pods.stream()
        .filter(p -> p.getMetadata().getNamespace().equals(registration.getMetadata().getNamespace())).toList());
    return created;
  }

  static ServiceRegistration withIdentity(ServiceRegistration registration, String uid) {
    registration.getMetadata().setUid(uid);
    registration.getMetadata().setGeneration(1L);
    return registration;
  }

  /** One reconcile; a status patch it asks for is applied to the object, as the API would. */
  void reconcile(ServiceRegistration registration) {
    reconciler.reconcileRegistration(registration, null);
  }

  long lease(ServiceRegistration registration) {
    return Long.parseUnsignedLong(registration.getStatus().getLeaseId(), 16);
  }

  String ready(ServiceRegistration registration) {
    var c = Conditions.find(registration.getStatus().getConditions(), Conditions.READY).orElseThrow();
    return c.getStatus() + "/" + c.getReason();
  }

  EndpointValue.Owner owner(ServiceRegistration registration) {
    return new EndpointValue.Owner(CLUSTER, registration.getMetadata().getNamespace(),
        registration.getMetadata().getName(), registration.getMetadata().getUid());
  }

  @Test
  void readyPodsAreRegisteredInOneTransactionWithTheClaimAndAnIdleReconcileWritesNothing() {
    reconcile(orders);

    assertThat(store.keys(PATH)).containsOnlyKeys(PATH + "10.0.0.1:8080", PATH + "10.0.0.2:8080");
    assertThat(store.keys(CLAIM)).containsKey(CLAIM);
    assertThat(store.keys("/")).allSatisfy((key, stored) -> assertThat(stored.lease()).isEqualTo(lease(orders)));
    assertThat(store.transactions()).isEqualTo(1);
    assertThat(ready(orders)).isEqualTo("True/Synced");
    assertThat(orders.getStatus().getRegisteredEndpoints()).isEqualTo(2);
    assertThat(events).containsExactly("Normal Registered: Registered 2 endpoints: "
        + "10.0.0.1:8080 (pod orders-1), 10.0.0.2:8080 (pod orders-2)");

    reconcile(orders);
    assertThat(store.transactions()).isEqualTo(1);

    pods.set(1, pod(NS, "orders-2", "10.0.0.2", APP, false));
    reconcile(orders);
    assertThat(store.keys(PATH)).containsOnlyKeys(PATH + "10.0.0.1:8080");
    assertThat(store.transactions()).isEqualTo(2);
    assertThat(events).last().isEqualTo("Normal Deregistered: Deregistered 1 endpoint: orders/10.0.0.2:8080");
  }

  @Test
  void aGatedPodIsRegisteredOnContainersReadyAndItsGateTurnsTrueOnlyOnceItsKeyIsCommitted() {
    pods.add(gatedPod(NS, "orders-3", "10.0.0.3", APP, true));
    store.unavailable(true);
    try {
      reconcile(orders);
    } catch (RuntimeException expected) {
      // etcd is away: nothing committed, so the gate must not say registered
    }
    assertThat(gates).noneMatch(g -> g.contains("True"));

    store.unavailable(false);
    reconcile(orders);

    assertThat(store.keys(PATH)).containsKey(PATH + "10.0.0.3:8080");
    assertThat(gates).containsExactly("orders-3 True/Registered"); // ungated Pods get no condition
  }

  @Test
  void aGatedPodWhoseContainersStopBeingReadyIsDeregisteredAndItsGateTurnsFalse() {
    Pod gated = gatedPod(NS, "orders-3", "10.0.0.3", APP, true);
    gated.getStatus().getConditions().add(new io.fabric8.kubernetes.api.model.PodConditionBuilder()
        .withType("registrar.dev/registered").withStatus("True").withReason("Registered").build());
    pods.add(gated);
    reconcile(orders);
    assertThat(store.keys(PATH)).containsKey(PATH + "10.0.0.3:8080");
    assertThat(gates).isEmpty(); // it says True already: no write

    gated.getStatus().getConditions().stream().filter(c -> c.getType().equals("ContainersReady"))
        .forEach(c -> c.setStatus("False"));
    reconcile(orders);

    assertThat(store.keys(PATH)).doesNotContainKey(PATH + "10.0.0.3:8080");
    assertThat(gates).containsExactly("orders-3 False/Deregistered");
  }

  @Test
  void aBadOverrideRegistersThePodWithTheRegistrationsValueAndWarnsOnThePodOnce() {
    pods.get(0).getMetadata().setAnnotations(Map.of("registrar.dev/weight", "heavy", "registrar.dev/version", "2.0.0-rc1"));
    reconcile(orders);

    EndpointValue value = EndpointCodec.decode(store.keys(PATH).get(PATH + "10.0.0.1:8080").value());
    assertThat(value.weight()).isEqualTo(100);
    assertThat(value.version()).isEqualTo("2.0.0-rc1");
    assertThat(events).filteredOn(e -> e.startsWith("Warning OverrideIgnored"))
        .containsExactly("Warning OverrideIgnored: registrar.dev/weight='heavy' ignored: it must be a whole "
            + "number from 0 to 10000; the Pod is registered with the ServiceRegistration's own value instead");
    var readyCondition = Conditions.find(orders.getStatus().getConditions(), Conditions.READY).orElseThrow();
    assertThat(readyCondition.getStatus()).isEqualTo("True");
    assertThat(readyCondition.getMessage()).contains("1 pod has ignored registrar.dev annotations").contains("orders-1");

    reconcile(orders);
    assertThat(events).filteredOn(e -> e.startsWith("Warning OverrideIgnored")).hasSize(1);
  }

  @Test
  void aLostLeaseIsReplacedAndEveryKeyRegisteredAgain() {
    reconcile(orders);
    long first = lease(orders);

    store.loseLease(first); // etcd dropped it: the keys went with it
    assertThat(store.keys(PATH)).isEmpty();
    reconcile(orders);

    assertThat(lease(orders)).isNotEqualTo(first);
    assertThat(store.keys(PATH)).hasSize(2).allSatisfy((key, stored) -> assertThat(stored.lease()).isEqualTo(lease(orders)));
    assertThat(store.keys(CLAIM)).containsKey(CLAIM);
    assertThat(events).anySatisfy(e -> assertThat(e).startsWith("Warning LeaseLost: Lease " + Long.toHexString(first)));
    assertThat(events).last().asString().startsWith("Normal LeaseRenewed: Lease " + Long.toHexString(first)
        + " was gone from etcd; 2 endpoints registered again under lease " + Long.toHexString(lease(orders)));
    assertThat(ready(orders)).isEqualTo("True/Synced");
  }

  @Test
  void aRestartedOperatorAdoptsTheLeaseInTheStatusAndRewritesNothing() {
    reconcile(orders);
    long lease = lease(orders);
    int writes = store.transactions();

    reconciler = newReconciler(); // a new process: it knows the lease only from the status
    reconcile(orders);

    assertThat(lease(orders)).isEqualTo(lease);
    assertThat(store.transactions()).isEqualTo(writes);
    assertThat(store.keys(PATH)).hasSize(2);
  }

  @Test
  void aTtlChangeMovesTheKeysToANewLeaseAndRevokesTheOldOne() {
    reconcile(orders);
    long old = lease(orders);

    orders.getSpec().setLeaseTTLSeconds(60);
    reconcile(orders);

    long current = lease(orders);
    assertThat(current).isNotEqualTo(old);
    assertThat(store.ttlOf(current)).hasValue(60);
    assertThat(store.hasLease(old)).isFalse();
    assertThat(store.keys(PATH)).hasSize(2).allSatisfy((key, stored) -> assertThat(stored.lease()).isEqualTo(current));
    assertThat(store.keys(CLAIM).get(CLAIM).lease()).isEqualTo(current);
  }

  @Test
  void aServiceNameMoveTakesTheKeysAndTheClaimAlong() {
    reconcile(orders);

    orders.getSpec().setServiceName("orders-v2");
    orders.getMetadata().setGeneration(2L);
    reconcile(orders);

    assertThat(store.keys(PATH)).isEmpty();
    assertThat(store.keys(CLAIM)).doesNotContainKey(CLAIM);
    assertThat(store.keys("/services/orders-v2/")).containsOnlyKeys(
        "/services/orders-v2/10.0.0.1:8080", "/services/orders-v2/10.0.0.2:8080");
    assertThat(store.keys("/registrar/claims/orders-v2")).hasSize(1);
  }

  @Test
  void aNameClaimedByAnotherRegistrationWritesNothingUntilItIsReleasedThenItIsTakenOver() {
    ServiceRegistration other = withIdentity(
        registration("billing", "orders", "orders", APP, PortSpec.number("http", 8080)), "uid-other");
    long theirs = store.foreignLease(30);
    store.foreignPut(CLAIM, EndpointCodec.encodeOwner(owner(other)), theirs);

    reconcile(orders);
    assertThat(ready(orders)).isEqualTo("False/Conflict");
    assertThat(orders.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getMessage())
        .contains("claimed by registration billing/orders of cluster 'test'"));
    assertThat(store.keys(PATH)).isEmpty();
    assertThat(orders.getStatus().getLeaseId()).isNull(); // no lease granted for nothing
    assertThat(events).anySatisfy(e -> assertThat(e).startsWith("Warning Conflict:"));

    store.revokeLease(theirs); // the other registration is deleted
    reconcile(orders);
    assertThat(ready(orders)).isEqualTo("True/Synced");
    assertThat(store.keys(PATH)).hasSize(2);
    assertThat(store.keys(CLAIM).get(CLAIM).lease()).isEqualTo(lease(orders));
  }

  @Test
  void aKeyOnOurLeaseIsOursWhateverItsValueSaysAndOneUnderOurPathOnAnotherLeaseIsLeftAlone() {
    reconcile(orders);
    long ours = lease(orders);
    // A foreign value on our lease (somebody wrote with our lease ID), under our path and elsewhere.
    store.foreignPut(PATH + "10.0.0.9:8080", "{\"version\":\"x\",\"weight\":1}".getBytes(UTF_8), ours);
    store.foreignPut("/services/elsewhere/10.0.0.9:8080", "{\"weight\":1}".getBytes(UTF_8), ours);
    // A seed-article process on its own lease under our path.
    long seed = store.foreignLease(10);
    store.foreignPut(PATH + "10.9.9.9:7000", "{\"version\":\"1\",\"weight\":1}".getBytes(UTF_8), seed);

    reconcile(orders);

    assertThat(store.keys(PATH)).containsOnlyKeys(PATH + "10.0.0.1:8080", PATH + "10.0.0.2:8080", PATH + "10.9.9.9:7000");
    assertThat(store.keys("/services/elsewhere/")).isEmpty();
    assertThat(store.keys(PATH).get(PATH + "10.9.9.9:7000").lease()).isEqualTo(seed);
    assertThat(orders.getStatus().getRegisteredEndpoints()).isEqualTo(2);
  }

  @Test
  void aFailedCompareIsReadAgainDecidedAgainAndRetriedOnce() {
    reconcile(orders);
    int writes = store.transactions();
    pods.add(pod(NS, "orders-3", "10.0.0.3", APP, true));
    // Between the observe and the write, a previous instance of this operator writes that key
    // with our owner: the planned create-if-absent fails; the key is ours by its value.
    byte[] ours = EndpointCodec.encode(new EndpointValue(null, 100, "10.0.0.3", 8080, "http", "orders-3", NS, "node-1", Map.of(), owner(orders)));
    store.beforeNextApply(() -> store.foreignPut(PATH + "10.0.0.3:8080", ours, 0));

    reconcile(orders);

    assertThat(store.failedCompares()).isEqualTo(1);
    assertThat(store.rereads()).isEqualTo(1);
    assertThat(store.transactions()).isEqualTo(writes + 1);
    StoredKey third = store.keys(PATH).get(PATH + "10.0.0.3:8080");
    assertThat(third.lease()).isEqualTo(lease(orders));
    assertThat(orders.getStatus().getRegisteredEndpoints()).isEqualTo(3);
  }

  @Test
  void aKeyHeldByAnotherOwnerIsNeverTouchedAndReadySaysWho() {
    long theirs = store.foreignLease(30);
    EndpointValue.Owner someoneElse = new EndpointValue.Owner("other-cluster", NS, "orders", "uid-x");
    byte[] value = EndpointCodec.encode(new EndpointValue(null, 100, "10.0.0.1", 8080, "http", "orders-1", NS, "node-1", Map.of(), someoneElse));
    store.foreignPut(PATH + "10.0.0.1:8080", value, theirs);

    reconcile(orders);

    assertThat(ready(orders)).isEqualTo("False/KeysHeldElsewhere");
    assertThat(store.keys(PATH).get(PATH + "10.0.0.1:8080").lease()).isEqualTo(theirs);
    assertThat(store.keys(PATH).get(PATH + "10.0.0.2:8080").lease()).isEqualTo(lease(orders));
    assertThat(orders.getStatus().getRegisteredEndpoints()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(31)); // their lease runs out: the key is free
    reconcile(orders);
    assertThat(store.keys(PATH)).hasSize(2).allSatisfy((key, stored) -> assertThat(stored.lease()).isEqualTo(lease(orders)));
    assertThat(ready(orders)).isEqualTo("True/Synced");
  }

  @Test
  void deletingTheRegistrationRevokesItsLeaseAndTakesEveryKeyAlong() {
    reconcile(orders);
    long lease = lease(orders);

    reconciler.cleanupRegistration(orders, null);

    assertThat(store.hasLease(lease)).isFalse();
    assertThat(store.keys("/")).isEmpty();
  }

  @Test
  void theRegisteredLogLineStaysShortAtAnyScale() {
    List<String> many = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "10.0.0." + i + ":80 (pod p-" + i + ")")
        .toList();
    assertThat(ServiceRegistrationReconciler.counted(many))
        .isEqualTo("100 endpoints: 10.0.0.0:80 (pod p-0), 10.0.0.1:80 (pod p-1), 10.0.0.2:80 (pod p-2) and 97 more");
    assertThat(ServiceRegistrationReconciler.counted(List.of("10.0.0.1:80 (pod p-1)")))
        .isEqualTo("1 endpoint: 10.0.0.1:80 (pod p-1)");
  }
}
