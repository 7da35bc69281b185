package dev.registrar.operator.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.registrar.client.ServiceClaims;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Which cluster holds a cluster name in the registry: {@code /registrar/claims/_clusters/{name}}
 * (no service name starts with '_', so it is never a claim), holding the cluster's ID (the UID of
 * its kube-system Namespace, KEP-2149's cluster ID) on the lease of the operator that wrote it.
 * Two clusters installed with one REGISTRAR_CLUSTER_NAME could each take the other's keys for
 * their own; the second one finds the first one's record and writes nothing.
 *
 * @param cluster the cluster name
 * @param clusterId the kube-system Namespace's UID
 * @param holder the process that wrote it (its host name: the pod's name in a cluster)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"cluster", "clusterId", "holder"})
public record ClusterNameRecord(String cluster, String clusterId, String holder) {

  /** Where the records live: under the claims, which the operator's etcd role already covers. */
  public static final String PREFIX = ServiceClaims.PREFIX + "_clusters/";

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  public static String key(String cluster) {
    return PREFIX + cluster;
  }

  /** What the record in etcd means for this cluster. */
  public sealed interface Verdict {
    /** No record: write ours. */
    record Free() implements Verdict {}

    /** A process of this very cluster holds it (this one, a restarted one, a standby replica). */
    record Ours() implements Verdict {}

    /** Another cluster holds the name: write nothing to the registry. */
    record Taken(String message) implements Verdict {}
  }

  /** The verdict on what etcd holds, for this cluster's name and ID. */
  public static Verdict judge(Optional<byte[]> stored, String cluster, String clusterId) {
    if (stored.isEmpty()) {
      return new Verdict.Free();
    }
    Optional<ClusterNameRecord> record = decode(stored.get());
    if (record.isPresent() && clusterId.equals(record.get().clusterId())) {
      return new Verdict.Ours();
    }
    String other = record.map(r -> "another cluster (kube-system UID " + r.clusterId() + ", written by "
        + r.holder() + ")").orElse("a value Registrar cannot read");
    return new Verdict.Taken("cluster name '" + cluster + "' is held in the registry by " + other + " ("
        + key(cluster) + "), and this cluster's kube-system UID is " + clusterId + "; two clusters with one "
        + "name could take each other's keys for their own, so this operator writes nothing until the name is "
        + "free: give each cluster sharing the registry its own REGISTRAR_CLUSTER_NAME (chart value clusterName)");
  }

  public byte[] encode() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("could not encode the cluster name record", e);
    }
  }

  static Optional<ClusterNameRecord> decode(byte[] value) {
    try {
      ClusterNameRecord record = JSON.readValue(value, ClusterNameRecord.class);
      return record == null || record.clusterId() == null ? Optional.empty() : Optional.of(record);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
