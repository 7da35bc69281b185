package dev.registrar.operator.apiserver;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.testing.etcd.EtcdEvents;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.OperatorProcess;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two shipped jars share one real {@code coordination.k8s.io} Lease: one leads, the other stands
 * by; SIGTERM makes the leader release the Lease and exit 0, the standby takes over at once,
 * adopts the registration's etcd lease and renews it, and the registry sees no flap.
 */
class LeaderElectionApiServerIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String LEASE_NAMESPACE = "le-system";
  static final String NAMESPACE = "le-shop";
  static final int TTL = 15;

  @TempDir
  Path logs;

  @Test
  void sigtermHandsTheRealLeaseToTheStandbyWhichAdoptsTheEtcdLeaseWithoutAFlap() {
    RealKubeApiServer api = RealKubeApiServer.shared();
    RealCluster.installCrd(api);
    api.namespace(LEASE_NAMESPACE);
    api.namespace(NAMESPACE);
    KubernetesClient client = api.client();
    EtcdView etcd = new EtcdView(ETCD.client());
    Map<String, String> labels = Map.of("app", "le");
    KubeletStandIn.run(client, pod(NAMESPACE, "le-1", "10.61.0.1", labels, true));
    ServiceRegistration registration = registration(NAMESPACE, "le", "le", labels, PortSpec.number("http", 8080));
    registration.getSpec().setLeaseTTLSeconds(TTL);
    client.resource(registration).create();

    try (OperatorProcess first = launch(api, "first")) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(first.isAlive()).as("first exited:\n%s", first.log()).isTrue();
        assertThat(holder(client)).isNotBlank();
        assertThat(etcd.values("/services/le/")).containsOnlyKeys("/services/le/10.61.0.1:8080");
        assertThat(leaseId(client)).isNotNull();
      });
      String firstIdentity = holder(client);
      assertThat(first.log()).contains("leading as " + firstIdentity);
      String lease = leaseId(client);

      try (OperatorProcess second = launch(api, "second");
           EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "le")) {
        await().atMost(Duration.ofSeconds(30)).until(() -> second.log().contains("Registrar started"));
        assertThat(holder(client)).as("the standby does not take a held Lease").isEqualTo(firstIdentity);
        assertThat(second.reconciles()).as("a standby never reconciles").isZero();
        // A standby reports ready, or a rolling update (which waits for new Pods) would never finish.
        assertThat(second.get("/readyz")).isEqualTo(200);

        long sent = System.nanoTime();
        first.sigterm();
        assertThat(first.awaitExit(Duration.ofSeconds(20))).as("first's exit; log:\n%s", first.log()).contains(0);
        assertThat(first.log()).contains("released leadership");
        // A Pod that turns up after the leader is gone: only the new leader can register it.
        KubeletStandIn.run(client, pod(NAMESPACE, "le-2", "10.61.0.2", labels, true));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(etcd.values("/services/le/"))
            .containsOnlyKeys("/services/le/10.61.0.1:8080", "/services/le/10.61.0.2:8080"));
        long takeover = Duration.ofNanos(System.nanoTime() - sent).toMillis();
        assertThat(holder(client)).isNotBlank().isNotEqualTo(firstIdentity);
        assertThat(second.log()).contains("leading as " + holder(client));

        // Past the TTL from the old leader's exit: the keys live on the etcd lease the new leader
        // adopted and renews; nothing was deleted or rewritten across the handover.
        await().during(Duration.ofSeconds(TTL + 2)).atMost(Duration.ofSeconds(TTL + 10))
            .untilAsserted(() -> assertThat(etcd.values("/services/le/")).hasSize(2));
        assertThat(leaseId(client)).isEqualTo(lease);
        assertThat(etcd.leases("/services/le/").values()).containsOnly(Long.parseUnsignedLong(lease, 16));
        assertThat(events.deletes()).isEmpty();
        assertThat(events.puts()).containsExactly("/services/le/10.61.0.2:8080");
        System.out.printf("real Lease: SIGTERM to the leader, new Pod registered by the standby %d ms later; "
            + "0 deletes; keys alive %d s on the adopted lease%n", takeover, TTL + 2);
        second.sigterm();
        assertThat(second.awaitExit(Duration.ofSeconds(20))).contains(0);
      }
    }
  }

  @Test
  void aReleaseWrittenFromAStaleReadIsRefusedWith409SoItNeverFreesALeaseSomeoneElseTook() {
    // The release (RegistrarOperator.releaseLeadership) writes the Lease it just read, with that
    // read's resourceVersion: the real API server refuses it once the Lease has changed since.
    RealKubeApiServer api = RealKubeApiServer.shared();
    api.namespace(LEASE_NAMESPACE);
    KubernetesClient client = api.client();
    LeaseLock mine = new LeaseLock(LEASE_NAMESPACE, "conflict-test", "me");
    java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
    mine.create(client, new LeaderElectionRecord("me", Duration.ofSeconds(15), now, now, 0));
    assertThat(mine.get(client).getHolderIdentity()).isEqualTo("me");
    // Another instance takes the Lease between our read and our write.
    client.leases().inNamespace(LEASE_NAMESPACE).withName("conflict-test").edit(lease -> {
      lease.getSpec().setHolderIdentity("other");
      return lease;
    });

    assertThatThrownBy(() -> mine.update(client, new LeaderElectionRecord("", Duration.ofSeconds(1), now, now, 0)))
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
    assertThat(client.leases().inNamespace(LEASE_NAMESPACE).withName("conflict-test").get().getSpec().getHolderIdentity())
        .isEqualTo("other");
  }

  private OperatorProcess launch(RealKubeApiServer api, String name) {
    return OperatorProcess.launch(List.of(), Map.of(
        "REGISTRAR_ETCD_ENDPOINTS", ETCD.endpointList(),
        "REGISTRAR_LEADER_ELECTION", "true",
        "REGISTRAR_LEADER_ELECTION_NAMESPACE", LEASE_NAMESPACE,
        "REGISTRAR_WATCH_NAMESPACES", NAMESPACE,
        "REGISTRAR_NAME_POLICY", "any",
        "REGISTRAR_TOPOLOGY", "false",
        "KUBECONFIG", api.kubeconfig().toString()), logs.resolve("operator-" + name + ".log"));
  }

  private static String holder(KubernetesClient client) {
    Lease lease = client.leases().inNamespace(LEASE_NAMESPACE).withName("registrar-leader").get();
    return lease == null || lease.getSpec().getHolderIdentity() == null ? "" : lease.getSpec().getHolderIdentity();
  }

  private static String leaseId(KubernetesClient client) {
    ServiceRegistration current = client.resources(ServiceRegistration.class).inNamespace(NAMESPACE).withName("le").get();
    return current == null || current.getStatus() == null ? null : current.getStatus().getLeaseId();
  }
}
