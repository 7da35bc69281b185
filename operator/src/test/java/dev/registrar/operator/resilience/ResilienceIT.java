package dev.registrar.operator.resilience;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.testing.etcd.EtcdEvents;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.FaultDuration;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.net.TcpProxy;
import io.etcd.jetcd.ByteSequence;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults injected into a real etcd and into the operator: nothing lost, no zombie left. */
class ResilienceIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NS = "shop";
  static final int TTL = 15;
  static final Duration WAIT = Duration.ofSeconds(20);
  /** Watch, then reconcile, then a transaction: about 0.1 s here, bounded loosely for slow machines. */
  static final Duration REPAIR = Duration.ofSeconds(5);

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

  /** Stops the operator, runs {@code whileDown}, starts a new one. */
  void restartOperator(Runnable whileDown) {
    fixture.stopOperator();
    whileDown.run();
    operator = fixture.startOperator();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  /** A registration with a 15 s lease over {@code pods} ready Pods; returns its lease. */
  long register(String service, int pods) {
    Map<String, String> labels = Map.of("app", service);
    for (int i = 1; i <= pods; i++) {
      client.resource(pod(NS, service + "-" + i, "10.6." + (service.length() % 200) + "." + i, labels, true)).create();
    }
    ServiceRegistration registration = registration(NS, service, service, labels, PortSpec.number("http", 80));
    registration.getSpec().setLeaseTTLSeconds(TTL);
    client.resource(registration).create();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(keys(service)).hasSize(pods);
      assertThat(ready(service)).hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("Synced"));
    });
    return lease(service);
  }

  Map<String, String> keys(String service) {
    return etcd.values("/services/" + service + "/");
  }

  long lease(String service) {
    return fixture.lease(NS, service);
  }

  Optional<Condition> ready(String service) {
    return fixture.condition(NS, service, "Ready");
  }

  @Test
  void etcdKilledAndRestartedWithinTheTtlLosesNothing() {
    long lease = register("kill", 2);
    Map<String, String> before = keys("kill");

    ETCD.etcd().killAll();
    ETCD.etcd().startAll();
    try (EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "kill")) {
      // Throughout more than the TTL after the restart: only a resumed keepalive keeps the keys.
      await().during(Duration.ofSeconds(TTL + 3)).atMost(Duration.ofSeconds(TTL + 10))
          .untilAsserted(() -> assertThat(keys("kill")).isEqualTo(before));
      assertThat(etcd.lease(lease).getTTL()).isPositive();
      assertThat(lease("kill")).isEqualTo(lease);
      assertThat(events.deletes()).isEmpty();
    }
    assertThat(ready("kill")).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
  }

  @Test
  void aLeaseRevokedBehindTheOperatorsBackIsReplacedAtOnce() throws Exception {
    long lease = register("revoked", 2);
    Map<String, String> before = keys("revoked");
    long start = System.nanoTime();
    ETCD.client().getLeaseClient().revoke(lease).get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(keys("revoked")).isEqualTo(before);
      assertThat(lease("revoked")).isNotEqualTo(lease);
    });
    long recovered = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(etcd.leases("/services/revoked/").values()).containsOnly(lease("revoked"));
    assertThat(etcd.value("/registrar/claims/revoked")).isPresent();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(events("revoked", "LeaseLost")).singleElement().satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
      assertThat(events("revoked", "LeaseRenewed")).singleElement().satisfies(e -> assertThat(e.getMessage())
          .isEqualTo("Lease " + Long.toHexString(lease) + " was gone from etcd; 2 endpoints registered again under lease "
              + Long.toHexString(lease("revoked"))));
      assertThat(ready("revoked")).hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("Synced"));
    });
    assertThat(operator.counters().leaseRegrants.get()).isEqualTo(1);
    System.out.printf("lease revoked behind the operator's back: keys back under a new lease in %d ms%n", recovered);
  }

  java.util.List<io.fabric8.kubernetes.api.model.Event> events(String name, String reason) {
    return fixture.events(NS, name, reason);
  }

  @Test
  void etcdDownLongerThanTheTtlIsRecoveredWhenItReturns() throws Exception {
    long lease = register("longdown", 2);
    long keptRevision = etcd.kvs("/services/longdown/10.6.8.1:80").get(0).getModRevision();
    assertThat(operator.readyz()).isEqualTo(200);
    ETCD.etcd().killAll();
    long downSince = System.nanoTime();
    // While etcd is away a Pod stops being ready: its key must not come back.
    client.pods().inNamespace(NS).withName("longdown-2").editStatus(p -> {
      p.getStatus().getConditions().forEach(c -> c.setStatus("False"));
      return p;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(ready("longdown")).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isIn("EtcdUnavailable", "LeaseLost");
    }));
    await().atMost(WAIT).until(() -> operator.readyz() == 503);
    FaultDuration.holdUntil(downSince, Duration.ofSeconds(TTL + 5));

    ETCD.etcd().startAll();
    long back = System.nanoTime();
    // A fresh client: the test's own client would wait out gRPC's reconnect backoff.
    try (var fresh = ETCD.etcd().newClient()) {
      EtcdView view = new EtcdView(fresh);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(view.values("/services/longdown/")).containsOnlyKeys("/services/longdown/10.6.8.1:80");
        assertThat(view.leases("/services/longdown/").values()).containsOnly(lease("longdown"));
        assertThat(ready("longdown")).hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("Synced"));
      });
      long recovered = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
      await().atMost(WAIT).until(() -> operator.readyz() == 200);
      long now = lease("longdown");
      // jetcd ended the keepalive, but etcd restarts its lease timers when it starts: the lease
      // is still there, and the operator renews it again instead of rewriting every key.
      assertThat(now).isEqualTo(lease);
      assertThat(view.lease(now).getTTL()).isPositive();
      assertThat(view.kvs("/services/longdown/10.6.8.1:80").get(0).getModRevision()).isEqualTo(keptRevision);
      System.out.printf("etcd down %d s (TTL %d s): recovered %d ms after etcd returned; lease %s -> %s%n",
          TimeUnit.NANOSECONDS.toSeconds(back - downSince), TTL, recovered, Long.toHexString(lease), Long.toHexString(now));
    }
  }

  @Test
  void aRestartedOperatorAdoptsItsLeasesAndWritesNothing() {
    long lease = register("adopt", 3);
    Map<String, String> before = keys("adopt");
    try (EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "adopt")) {
      restartOperator(() -> { });
      await().atMost(WAIT).until(() -> operator.reconciles() >= 1);
      // Throughout more than the TTL: the keys live only because the new operator renews the adopted lease.
      await().during(Duration.ofSeconds(TTL + 3)).atMost(Duration.ofSeconds(TTL + 10))
          .untilAsserted(() -> assertThat(keys("adopt")).isEqualTo(before));
      assertThat(lease("adopt")).isEqualTo(lease);
      assertThat(etcd.leases("/services/adopt/").values()).containsOnly(lease);
      assertThat(events.puts()).isEmpty();
      assertThat(events.deletes()).isEmpty();
    }
  }

  @Test
  void aPodDeletedWhileTheOperatorIsDownIsDeregisteredAtStartAndNothingElse() {
    register("offline", 3);
    long untouched = etcd.kvs("/services/offline/10.6.7.1:80").get(0).getModRevision();
    try (EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "offline")) {
      restartOperator(() -> client.pods().inNamespace(NS).withName("offline-2").delete());
      await().atMost(WAIT).untilAsserted(() -> assertThat(keys("offline"))
          .containsOnlyKeys("/services/offline/10.6.7.1:80", "/services/offline/10.6.7.3:80"));
      assertThat(events.deletes()).containsExactly("/services/offline/10.6.7.2:80");
      assertThat(events.puts()).isEmpty();
    }
    assertThat(etcd.kvs("/services/offline/10.6.7.1:80").get(0).getModRevision()).isEqualTo(untouched);
  }

  @Test
  void drift() throws Exception {
    register("drift", 2);
    String key = "/services/drift/10.6.5.1:80";
    String sibling = "/services/drift/10.6.5.2:80";
    String value = etcd.value(key).orElseThrow();
    long siblingRevision = etcd.kvs(sibling).get(0).getModRevision();
    long deleteRepair;
    long alterRepair;

    // Each repair is one put of the damaged key and nothing else: "eventually right" would also
    // pass an operator that deletes and puts back, or rewrites every key, on each repair.
    try (EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "drift")) {
      // Deleted behind the operator's back: restored.
      long start = System.nanoTime();
      ETCD.client().getKVClient().delete(bytes(key)).get(5, TimeUnit.SECONDS);
      await().atMost(REPAIR).untilAsserted(() -> assertThat(etcd.value(key)).contains(value));
      deleteRepair = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      // Altered: restored.
      start = System.nanoTime();
      ETCD.client().getKVClient().put(bytes(key), bytes(value.replace("\"weight\":100", "\"weight\":1"))).get(5, TimeUnit.SECONDS);
      await().atMost(REPAIR).untilAsserted(() -> assertThat(etcd.value(key)).contains(value));
      alterRepair = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(etcd.kvs(key).get(0).getLease()).isEqualTo(lease("drift"));

      // The claim deleted behind its back: claimed again.
      ETCD.client().getKVClient().delete(bytes("/registrar/claims/drift")).get(5, TimeUnit.SECONDS);
      await().atMost(REPAIR).untilAsserted(() -> assertThat(etcd.value("/registrar/claims/drift")).isPresent());

      long settled = etcd.kvs(key).get(0).getModRevision();
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
          .until(() -> etcd.kvs(key).get(0).getModRevision() == settled);
      // The test's own delete, alteration and claim delete, and one repair each.
      assertThat(events.deletes()).containsExactly(key, "/registrar/claims/drift");
      assertThat(events.puts()).containsExactly(key, key, key, "/registrar/claims/drift");
    }
    assertThat(etcd.kvs(sibling).get(0).getModRevision()).as("the undamaged key").isEqualTo(siblingRevision);

    // A foreign key under the service path: left alone.
    int reconciles = operator.awaitSettled();
    long repairs = operator.counters().driftRepairs.get();
    String foreign = "/services/drift/10.9.9.9:80";
    ETCD.client().getKVClient().put(bytes(foreign), ByteSequence.from(EndpointCodec.encode(new EndpointValue(
        null, 100, "10.9.9.9", 80, null, null, null, null, null, new EndpointValue.Owner("other", "x", "y", "z")))))
        .get(5, TimeUnit.SECONDS);
    Map<String, String> foreignBefore = etcd.valuesAndRevisions(foreign);
    // The foreign put itself triggers nothing; a Pod change then makes the registration reconcile
    // with the foreign key in its path, and that reconcile must leave it alone too.
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
        .until(() -> operator.reconciles() == reconciles);
    client.pods().inNamespace(NS).withName("drift-1").edit(p -> {
      p.getMetadata().getLabels().put("nudge", "1"); // a label: an annotation of others reconciles nothing
      return p;
    });
    await().atMost(WAIT).until(() -> operator.reconciles() > reconciles);
    assertThat(etcd.valuesAndRevisions(foreign)).isEqualTo(foreignBefore);
    assertThat(operator.counters().driftRepairs.get()).isEqualTo(repairs);
    System.out.printf("drift repaired: delete in %d ms, alteration in %d ms%n", deleteRepair, alterRepair);
  }

  @Test
  void aChangeMissedDuringACompactionIsStillRepaired() throws Exception {
    // The operator reaches etcd through a proxy, so that the test can cut it off while it writes
    // and compacts directly: the watch cannot resume before the history it needs is gone.
    fixture.close();
    try (TcpProxy proxy = TcpProxy.inFrontOf(ETCD.endpointList())) {
      fixture = OperatorFixture.startVia(ETCD, proxy.url(), "--cluster-name", "test");
      client = fixture.client;
      operator = fixture.operator();
      register("compact", 2);
      String key = "/services/compact/10.6.7.1:80";
      long resyncs = operator.counters().watchResyncs.get();
      proxy.cut();
      ETCD.client().getKVClient().delete(bytes(key)).get(5, TimeUnit.SECONDS);
      long revision = ETCD.client().getKVClient().get(bytes("/")).get(5, TimeUnit.SECONDS).getHeader().getRevision();
      ETCD.client().getKVClient().compact(revision).get(5, TimeUnit.SECONDS);
      proxy.restore();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(keys("compact")).containsKey(key);
        assertThat(operator.counters().watchResyncs.get()).isGreaterThan(resyncs);
      });
      System.out.printf("compaction: watch rebuilt by Get + Watch (%d resyncs), missed delete repaired%n",
          operator.counters().watchResyncs.get() - resyncs);
    }
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, UTF_8);
  }
}
