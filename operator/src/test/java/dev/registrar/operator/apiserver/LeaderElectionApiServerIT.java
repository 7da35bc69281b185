package dev.registrar.operator.apiserver;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.OperatorProcess;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import io.etcd.jetcd.KeyValue;
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
 * by; SIGTERM makes the leader release the Lease and exit 0, the standby takes over at once and
 * reconciles, and the registry sees no flap (the key keeps its create revision).
 */
class LeaderElectionApiServerIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String LEASE_NAMESPACE = "le-system";
  static final String NAMESPACE = "le-shop";

  @TempDir
  Path logs;

  @Test
  void sigtermHandsTheRealLeaseToTheStandbyWithoutAFlapInTheRegistry() {
    RealKubeApiServer api = RealKubeApiServer.shared();
    RealCluster.installCrd(api);
    api.namespace(LEASE_NAMESPACE);
    api.namespace(NAMESPACE);
    KubernetesClient client = api.client();
    EtcdView etcd = new EtcdView(ETCD.client());
    Map<String, String> labels = Map.of("app", "le");
    KubeletStandIn.run(client, pod(NAMESPACE, "le-1", "10.61.0.1", labels, true));
    client.resource(registration(NAMESPACE, "le", "le", labels, PortSpec.number("http", 8080))).create();

    try (OperatorProcess first = launch(api, "first")) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(first.isAlive()).as("first exited:\n%s", first.log()).isTrue();
        assertThat(holder(client)).isNotBlank();
        assertThat(etcd.values("/services/le/")).containsOnlyKeys("/services/le/10.61.0.1:8080");
      });
      String firstIdentity = holder(client);
      assertThat(first.log()).contains("leading as " + firstIdentity);
      long created = createRevision(etcd, "/services/le/10.61.0.1:8080");

      try (OperatorProcess second = launch(api, "second")) {
        await().atMost(Duration.ofSeconds(30)).until(() -> second.log().contains("Registrar started"));
        assertThat(holder(client)).as("the standby does not take a held Lease").isEqualTo(firstIdentity);
        assertThat(second.reconciles()).as("a standby never reconciles").isZero();

        first.sigterm();
        assertThat(first.awaitExit(Duration.ofSeconds(20))).as("first's exit; log:\n%s", first.log()).contains(0);
        assertThat(first.log()).contains("released leadership");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
          assertThat(holder(client)).isNotBlank().isNotEqualTo(firstIdentity);
          assertThat(second.log()).contains("leading as " + holder(client));
        });

        // The new leader reconciles: a new Pod is registered, and the first key never moved.
        KubeletStandIn.run(client, pod(NAMESPACE, "le-2", "10.61.0.2", labels, true));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(etcd.values("/services/le/"))
            .containsOnlyKeys("/services/le/10.61.0.1:8080", "/services/le/10.61.0.2:8080"));
        assertThat(createRevision(etcd, "/services/le/10.61.0.1:8080")).as("no DELETE and PUT across the handover")
            .isEqualTo(created);
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

  private static long createRevision(EtcdView etcd, String key) {
    return etcd.kvs(key).stream().filter(kv -> kv.getKey().toString(java.nio.charset.StandardCharsets.UTF_8).equals(key)).mapToLong(KeyValue::getCreateRevision)
        .findFirst().orElseThrow(() -> new AssertionError(key + " is not in etcd"));
  }
}
