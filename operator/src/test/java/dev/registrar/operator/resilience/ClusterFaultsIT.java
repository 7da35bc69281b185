package dev.registrar.operator.resilience;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.testing.etcd.EtcdEvents;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.etcd.EtcdCluster;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.etcd.EtcdMember;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A 3-member etcd: losing the leader or a follower interrupts nothing a consumer can see. */
class ClusterFaultsIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.cluster(3);

  static final int TTL = 15;

  @Test
  void killingTheLeaderThenAFollowerLosesNoKeyAndKeepsTheLeaseAlive() throws Exception {
    try (MockKubernetesApi api = MockKubernetesApi.start();
         RunningOperator operator = RunningOperator.start(api, ETCD.endpointList())) {
      KubernetesClient client = api.client();
      EtcdView etcd = new EtcdView(ETCD.client());
      Map<String, String> labels = Map.of("app", "quorum");
      for (int i = 1; i <= 3; i++) {
        client.resource(pod("shop", "quorum-" + i, "10.7.1." + i, labels, true)).create();
      }
      ServiceRegistration registration = registration("shop", "quorum", "quorum", labels, PortSpec.number("http", 80));
      registration.getSpec().setLeaseTTLSeconds(TTL);
      client.resource(registration).create();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(etcd.values("/services/quorum/")).hasSize(3));
      await().atMost(Duration.ofSeconds(20)).until(() -> leaseOf(client) != null);
      String lease = leaseOf(client);
      Map<String, String> before = etcd.values("/services/quorum/");

      try (EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "quorum")) {
        EtcdMember leader = ETCD.etcd().member(leaderIndex(ETCD.etcd()));
        leader.kill();
        // The operator keeps working through the survivors: a change is still applied.
        client.pods().inNamespace("shop").withName("quorum-3").editStatus(p -> {
          p.getStatus().getConditions().forEach(c -> c.setStatus("False"));
          return p;
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(etcd.values("/services/quorum/")).hasSize(2));
        leader.start();
        leader.awaitHealthy(EtcdCluster.STARTUP_TIMEOUT);

        EtcdMember follower = ETCD.etcd().member((leaderIndex(ETCD.etcd()) + 1) % 3);
        follower.kill();
        // Longer than the TTL with a member down: the keepalive goes on through the others.
        await().pollDelay(Duration.ofSeconds(TTL + 2)).atMost(Duration.ofSeconds(TTL + 10))
            .untilAsserted(() -> assertThat(etcd.values("/services/quorum/")).hasSize(2));
        follower.start();
        follower.awaitHealthy(EtcdCluster.STARTUP_TIMEOUT);

        assertThat(events.deletes()).containsExactly("/services/quorum/10.7.1.3:80");
        assertThat(etcd.values("/services/quorum/")).containsOnlyKeys(
            "/services/quorum/10.7.1.1:80", "/services/quorum/10.7.1.2:80");
        assertThat(etcd.values("/services/quorum/").get("/services/quorum/10.7.1.1:80"))
            .isEqualTo(before.get("/services/quorum/10.7.1.1:80"));
        assertThat(leaseOf(client)).isEqualTo(lease);
        assertThat(etcd.lease(Long.parseUnsignedLong(lease, 16)).getTTL()).isPositive();
      }
    }
  }

  static String leaseOf(KubernetesClient client) {
    ServiceRegistration current = client.resources(ServiceRegistration.class).inNamespace("shop").withName("quorum").get();
    return current == null || current.getStatus() == null ? null : current.getStatus().getLeaseId();
  }

  static int leaderIndex(EtcdCluster etcd) throws Exception {
    for (int i = 0; i < etcd.members().size(); i++) {
      if (!etcd.member(i).isRunning()) {
        continue;
      }
      StatusResponse status = etcd.client().getMaintenanceClient()
          .statusMember(etcd.member(i).clientUrl()).get(5, TimeUnit.SECONDS);
      if (status.getLeader() == status.getHeader().getMemberId()) {
        return i;
      }
    }
    throw new AssertionError("no member reports itself as leader");
  }
}
