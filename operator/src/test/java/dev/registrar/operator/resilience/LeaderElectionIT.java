package dev.registrar.operator.resilience;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.EtcdEvents;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.etcd.EtcdExtension;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two replicas with leader election: one reconciles; when it stops the other takes over without a gap. */
class LeaderElectionIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final int TTL = 15;

  @Test
  void theStandbyTakesOverWithoutDeletingAnything() {
    try (MockKubernetesApi api = MockKubernetesApi.startWithLeaderElection()) {
      KubernetesClient client = api.client();
      EtcdView etcd = new EtcdView(ETCD.client());
      String[] args = {"--leader-election", "true", "--leader-election-namespace", "registrar"};
      RunningOperator first = RunningOperator.start(api, ETCD.endpointList(), args);
      await().atMost(Duration.ofSeconds(20)).until(() -> leaseHolder(client) != null);
      RunningOperator second = RunningOperator.start(api, ETCD.endpointList(), args);
      try {
        Map<String, String> labels = Map.of("app", "ha");
        for (int i = 1; i <= 3; i++) {
          client.resource(pod("shop", "ha-" + i, "10.7.0." + i, labels, true)).create();
        }
        ServiceRegistration registration = registration("shop", "ha", "ha", labels, PortSpec.number("http", 80));
        registration.getSpec().setLeaseTTLSeconds(TTL);
        client.resource(registration).create();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(etcd.values("/services/ha/")).hasSize(3));
        await().atMost(Duration.ofSeconds(20)).until(() -> status(client) != null);
        String lease = status(client);

        // Only the leader reconciles; the standby still reports ready, or a rolling update
        // (which waits for new pods to be ready) would never finish.
        assertThat(first.reconciles()).isPositive();
        assertThat(second.reconciles()).isZero();
        assertThat(first.readyz()).isEqualTo(200);
        assertThat(second.readyz()).as("a standby's /readyz").isEqualTo(200);

        try (EtcdEvents events = EtcdEvents.ofService(ETCD.client(), "ha")) {
          long stopped = System.nanoTime();
          first.close();
          first = null;
          await().atMost(Duration.ofSeconds(20)).until(() -> second.reconciles() > 0);
          long takeover = Duration.ofNanos(System.nanoTime() - stopped).toMillis();
          // Several TTLs later the keys live on the adopted lease, renewed by the new leader.
          await().during(Duration.ofSeconds(2 * TTL + 2)).atMost(Duration.ofSeconds(2 * TTL + 10))
              .untilAsserted(() -> assertThat(etcd.values("/services/ha/")).hasSize(3));
          assertThat(status(client)).isEqualTo(lease);
          assertThat(etcd.leases("/services/ha/").values()).containsOnly(Long.parseUnsignedLong(lease, 16));
          assertThat(events.deletes()).isEmpty();
          assertThat(events.puts()).isEmpty();
          System.out.printf("leader stopped: standby reconciled after %d ms; 0 deletes, 0 puts%n", takeover);
        }
      } finally {
        if (first != null) {
          first.close();
        }
        second.close();
      }
    }
  }

  static String leaseHolder(KubernetesClient client) {
    Lease lease = client.leases().inNamespace("registrar").withName("registrar-leader").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  static String status(KubernetesClient client) {
    ServiceRegistration current = client.resources(ServiceRegistration.class).inNamespace("shop").withName("ha").get();
    return current == null || current.getStatus() == null ? null : current.getStatus().getLeaseId();
  }
}
