package dev.registrar.operator.resilience;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.testing.etcd.EtcdEvents;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.OperatorProcess;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped jar, two replicas with leader election (the chart's default), stopped the way
 * Kubernetes stops pods: SIGTERM. A replica exits 0 within 5 s, a leader hands its Lease over on
 * the way out, and etcd never loses a key.
 */
class LeaderShutdownIT {

  /** One etcd per test: a killed replica's claim must not outlive its test into the next one. */
  @RegisterExtension
  final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NS = "shop";
  static final int TTL = 15;
  static final Duration EXIT_BOUND = Duration.ofSeconds(5);
  static final Map<String, String> LABELS = Map.of("app", "ha");

  @TempDir
  Path dir;

  MockKubernetesApi api;
  KubernetesClient client;
  EtcdView etcd;
  Path kubeconfig;
  final List<OperatorProcess> replicas = new ArrayList<>();

  @BeforeEach
  void start() {
    api = MockKubernetesApi.startWithLeaderElection();
    client = api.client();
    etcd = new EtcdView(ETCD.client());
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), "registrar");
  }

  @AfterEach
  void stop() {
    replicas.forEach(OperatorProcess::close);
    api.close();
  }

  OperatorProcess replica(String name) {
    OperatorProcess replica = OperatorProcess.launch(List.of(), Map.of(
        "KUBECONFIG", kubeconfig.toString(),
        "REGISTRAR_ETCD_ENDPOINTS", ETCD.endpointList(),
        "REGISTRAR_LEADER_ELECTION", "true",
        "REGISTRAR_LEADER_ELECTION_NAMESPACE", "registrar"), dir.resolve(name + ".log"));
    replicas.add(replica);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(replica.isAlive()).withFailMessage(() -> name + " exited:\n" + replica.log()).isTrue();
      assertThat(replica.get("/readyz")).isEqualTo(200);
    });
    return replica;
  }

  /** One replica, leading once it holds the Lease (it is alone). */
  OperatorProcess leader(String name) {
    OperatorProcess leader = replica(name);
    await().atMost(Duration.ofSeconds(30)).until(() -> holder() != null);
    return leader;
  }

  /** Two replicas, the first one leading, and a registration of three pods; returns the leader. */
  OperatorProcess twoReplicasAndARegistration() {
    return twoReplicasAndARegistration(TTL);
  }

  OperatorProcess twoReplicasAndARegistration(int ttl) {
    OperatorProcess leader = leader("a");
    replica("b");
    for (int i = 1; i <= 3; i++) {
      client.resource(pod(NS, "ha-" + i, "10.7.0." + i, LABELS, true)).create();
    }
    ServiceRegistration registration = registration(NS, "ha", "ha", LABELS, PortSpec.number("http", 80));
    registration.getSpec().setLeaseTTLSeconds(ttl);
    client.resource(registration).create();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(etcd.values("/services/ha/")).hasSize(3);
      assertThat(leaseId()).isNotNull();
    });
    return leader;
  }

  /** A Pod that turns ready now is registered: some replica is leading and reconciling. */
  void aNewPodIsRegistered() {
    client.resource(pod(NS, "ha-4", "10.7.0.4", LABELS, true)).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> etcd.value("/services/ha/10.7.0.4:80").isPresent());
  }

  String holder() {
    Lease lease = client.leases().inNamespace("registrar").withName("registrar-leader").get();
    // A released Lease has an empty holder, as client-go releases it: no one holds it.
    String holder = lease == null ? null : lease.getSpec().getHolderIdentity();
    return holder == null || holder.isEmpty() ? null : holder;
  }

  String leaseId() {
    ServiceRegistration current = client.resources(ServiceRegistration.class).inNamespace(NS).withName("ha").get();
    return current == null || current.getStatus() == null ? null : current.getStatus().getLeaseId();
  }

  /** SIGTERM; asserts exit code 0 within the bound; returns how long it took. */
  long sigtermAndAwaitExit(OperatorProcess replica) {
    long start = System.nanoTime();
    replica.sigterm();
    assertThat(replica.awaitExit(Duration.ofSeconds(30)))
        .withFailMessage(() -> "did not exit 0 after SIGTERM:\n" + replica.log()).contains(0);
    long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertThat(millis).as("exit after SIGTERM (ms)").isLessThan(EXIT_BOUND.toMillis());
    return millis;
  }

  // SIGTERM to the leader, the standby taking over at once and adopting the etcd lease with no
  // flap: proven on a real Lease by LeaderElectionApiServerIT.

  @Test
  void aStandbyStoppedBySigtermExitsZeroAndChangesNothing() {
    OperatorProcess leader = twoReplicasAndARegistration();
    OperatorProcess standby = replicas.get(1);
    String holder = holder();
    try (EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "ha")) {
      long exit = sigtermAndAwaitExit(standby);
      assertThat(holder()).isEqualTo(holder);
      // The leader still serves: a pod that turns ready now is registered.
      aNewPodIsRegistered();
      assertThat(events.deletes()).isEmpty();
      System.out.printf("SIGTERM to a standby: exit 0 after %d ms%n", exit);
    }
    assertThat(leader.isAlive()).isTrue();
  }

  @Test
  void aRollingUpdateReplacesBothReplicasWithoutLosingAKey() {
    OperatorProcess a = twoReplicasAndARegistration();
    OperatorProcess b = replicas.get(1);
    String lease = leaseId();
    String first = holder();
    try (EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "ha")) {
      // As a Deployment rolls (maxSurge 1): a new replica first, then an old one goes.
      OperatorProcess c = replica("c");
      long exitA = sigtermAndAwaitExit(a);
      await().atMost(Duration.ofSeconds(10)).until(() -> holder() != null && !holder().equals(first));
      String second = holder();
      // The new leader, b or c, reconciles the registration it adopts; a standby never reconciles.
      await().atMost(Duration.ofSeconds(10)).until(() -> b.reconciles() > 0 || c.reconciles() > 0);
      boolean bLed = b.reconciles() > 0;
      replica("d");
      long exitB = sigtermAndAwaitExit(b);
      if (bLed) {
        await().atMost(Duration.ofSeconds(10)).until(() -> holder() != null && !holder().equals(second));
      } else {
        assertThat(holder()).isEqualTo(second);
      }
      aNewPodIsRegistered();
      assertThat(etcd.values("/services/ha/")).hasSize(4);
      assertThat(leaseId()).isEqualTo(lease);
      assertThat(events.deletes()).isEmpty();
      assertThat(events.puts()).containsExactly("/services/ha/10.7.0.4:80");
      System.out.printf("rolling update: old leader exited after %d ms, next one after %d ms; 0 deletes%n", exitA, exitB);
    }
  }

  @Test
  void aLeaderStopsWithinTheBoundEvenWhileEtcdIsFrozen() {
    OperatorProcess leader = twoReplicasAndARegistration();
    ETCD.etcd().members().forEach(m -> m.pause());
    try {
      long exit = sigtermAndAwaitExit(leader);
      System.out.printf("SIGTERM to the leader while etcd is frozen: exit 0 after %d ms%n", exit);
    } finally {
      ETCD.etcd().members().forEach(m -> m.resume());
    }
  }

  @Test
  void aFrozenLeaderIsReplacedAndExitsWhenItThaws() {
    // A TTL of twice the leader-election lease (15 s), as docs/operations.md advises: the etcd
    // lease outlives the frozen leader's Lease, so the new leader adopts it and rewrites nothing.
    OperatorProcess leader = twoReplicasAndARegistration(30);
    OperatorProcess standby = replicas.get(1);
    String lease = leaseId();
    String old = holder();
    try (EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "ha")) {
      long frozen = System.nanoTime();
      long takeover;
      leader.freeze();
      try {
        // Its Lease (15 s) runs out; the standby takes over and registers a new Pod.
        await().atMost(Duration.ofSeconds(30)).until(() -> holder() != null && !holder().equals(old));
        takeover = Duration.ofNanos(System.nanoTime() - frozen).toMillis();
        aNewPodIsRegistered();
      } finally {
        leader.thaw();
      }
      long thawed = System.nanoTime();
      // Thawed, it finds it is no longer the leader and exits 1, so that its pod restarts.
      assertThat(leader.awaitExit(Duration.ofSeconds(15)))
          .withFailMessage(() -> "the thawed leader did not exit 1:\n" + leader.log()).contains(1);
      System.out.printf("leader frozen (SIGSTOP): standby took the Lease after %d ms; thawed, the old leader exited 1 "
          + "after %d ms; 0 deletes, same etcd lease%n", takeover, Duration.ofNanos(System.nanoTime() - thawed).toMillis());
      assertThat(standby.isAlive()).isTrue();
      assertThat(etcd.values("/services/ha/")).hasSize(4);
      assertThat(leaseId()).isEqualTo(lease);
      assertThat(events.deletes()).isEmpty();
      assertThat(events.puts()).containsExactly("/services/ha/10.7.0.4:80");
    }
  }

  @Test
  void aLeaderThatLosesItsLeaseWithoutBeingAskedExitsOneAndDoesNotHang() {
    OperatorProcess leader = leader("a");
    // Another holder takes the Lease over, as after a long API server partition.
    client.leases().inNamespace("registrar").withName("registrar-leader").edit(lease -> {
      lease.getSpec().setHolderIdentity("intruder");
      lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
      lease.getSpec().setLeaseDurationSeconds(600);
      return lease;
    });
    assertThat(leader.awaitExit(Duration.ofSeconds(15)))
        .withFailMessage(() -> "did not exit 1 after losing the Lease:\n" + leader.log()).contains(1);
    assertThat(leader.log()).contains("lost leadership");
    assertThat(holder()).isEqualTo("intruder");
  }
}
