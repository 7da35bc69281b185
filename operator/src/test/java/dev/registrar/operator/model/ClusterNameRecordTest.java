package dev.registrar.operator.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.client.ServiceClaims;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One cluster name, one cluster: what the record in etcd means for the operator reading it. */
class ClusterNameRecordTest {

  static final String UID = "2d1f-kube-system-of-eu";

  @Test
  void aFreeNameIsTakenAndTheRecordSaysWhoseItIs() {
    assertThat(ClusterNameRecord.judge(Optional.empty(), "eu", UID)).isInstanceOf(ClusterNameRecord.Verdict.Free.class);
    assertThat(new String(new ClusterNameRecord("eu", UID, "registrar-7c9f").encode(), UTF_8))
        .isEqualTo("{\"cluster\":\"eu\",\"clusterId\":\"" + UID + "\",\"holder\":\"registrar-7c9f\"}");
  }

  @Test
  void anotherProcessOfTheSameClusterHoldingItIsNoReasonToStop() {
    // A restarted operator, or a standby replica: the same kube-system UID, written by another pod.
    byte[] record = new ClusterNameRecord("eu", UID, "registrar-old-pod").encode();
    assertThat(ClusterNameRecord.judge(Optional.of(record), "eu", UID)).isInstanceOf(ClusterNameRecord.Verdict.Ours.class);
  }

  @Test
  void anotherClusterHoldingTheNameIsARefusalThatSaysWhatToDo() {
    byte[] record = new ClusterNameRecord("eu", "9a0e-another-cluster", "registrar-x").encode();
    ClusterNameRecord.Verdict verdict = ClusterNameRecord.judge(Optional.of(record), "eu", UID);
    assertThat(((ClusterNameRecord.Verdict.Taken) verdict).message()).isEqualTo("cluster name 'eu' is held in the "
        + "registry by another cluster (kube-system UID 9a0e-another-cluster, written by registrar-x) "
        + "(/registrar/claims/_clusters/eu), and this cluster's kube-system UID is " + UID + "; two clusters with one "
        + "name could take each other's keys for their own, so this operator writes nothing until the name is free: "
        + "give each cluster sharing the registry its own REGISTRAR_CLUSTER_NAME (chart value clusterName)");
    assertThat(ClusterNameRecord.judge(Optional.of("garbage".getBytes(UTF_8)), "eu", UID))
        .isInstanceOf(ClusterNameRecord.Verdict.Taken.class);
  }

  @Test
  void theRecordIsNeitherAClaimNorAMemberKey() {
    String key = ClusterNameRecord.key("eu");
    assertThat(key).startsWith(ServiceClaims.PREFIX);
    assertThat(ServiceClaims.isClaimKey(key)).isFalse();
    assertThat(ServiceClaims.isMemberKey(key)).isFalse();
  }
}
