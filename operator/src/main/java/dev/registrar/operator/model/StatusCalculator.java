package dev.registrar.operator.model;

import dev.registrar.operator.customresource.ClusterEndpoints;
import dev.registrar.operator.customresource.ServiceRegistrationStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The next status, as a pure function of the previous one and what the reconcile found. */
public final class StatusCalculator {

  /** How many notes a condition message quotes before it says "and N more". */
  /** How many notes a message names before it counts the rest. */
  public static final int MAX_NOTES = 3;

  private StatusCalculator() {}

  /**
   * etcd now holds the desired keys under the lease, except those in {@code heldElsewhere}.
   *
   * @param heldElsewhere desired keys another owner holds, with who holds them: Ready is False
   *     ({@code KeysHeldElsewhere}) while there is any, never Synced
   * @param othersUnderPath keys of others under the service path that no pod of this
   *     registration wants: mentioned, they do not make it less Ready
   */
  public static ServiceRegistrationStatus synced(ServiceRegistrationStatus previous, long generation,
      String leaseId, DesiredState desired, int registered, Map<String, String> heldElsewhere,
      Set<String> othersUnderPath, Instant now) {
    ServiceRegistrationStatus status = copyOf(previous);
    status.setObservedGeneration(generation);
    status.setLeaseId(leaseId);
    status.setMatchedPods(desired.matchedPods());
    status.setRegisteredEndpoints(registered);

    StringBuilder ready = new StringBuilder();
    if (!heldElsewhere.isEmpty()) {
      ready.append(heldElsewhere.size()).append(heldElsewhere.size() == 1 ? " endpoint is" : " endpoints are")
          .append(" not registered because another owner holds the key: ")
          .append(summary(heldElsewhere.entrySet().stream()
              .map(e -> e.getKey() + " held by " + e.getValue()).toList()))
          .append("; ");
    }
    ready.append(registered).append(registered == 1 ? " endpoint" : " endpoints")
        .append(" registered under lease ").append(leaseId);
    if (!desired.skipped().isEmpty()) {
      ready.append("; skipped: ").append(summary(desired.skipped()));
    }
    int ignored = desired.ignoredOverrides().size();
    if (ignored > 0) {
      ready.append("; ").append(ignored).append(ignored == 1 ? " pod has" : " pods have")
          .append(" ignored registrar.dev annotations, registered with this registration's values instead (")
          .append(summary(List.copyOf(desired.ignoredOverrides().keySet())))
          .append("; see their OverrideIgnored Events)");
    }
    if (!othersUnderPath.isEmpty()) {
      ready.append("; keys of another owner under the service path left untouched: ")
          .append(summary(List.copyOf(othersUnderPath)));
    }
    boolean synced = heldElsewhere.isEmpty();
    status.setConditions(Conditions.set(status.getConditions(), Conditions.READY, synced,
        synced ? Reasons.SYNCED : Reasons.KEYS_HELD_ELSEWHERE, ready.toString(), generation, now));

    String reason;
    String message;
    if (registered > 0) {
      reason = Reasons.ENDPOINTS_REGISTERED;
      message = registered + (registered == 1 ? " endpoint" : " endpoints") + " from "
          + desired.matchedPods() + (desired.matchedPods() == 1 ? " matching pod" : " matching pods");
    } else if (desired.matchedPods() == 0) {
      reason = Reasons.NO_MATCHING_PODS;
      message = "no pod matches the selector";
    } else {
      reason = Reasons.NO_READY_PODS;
      message = desired.matchedPods() + (desired.matchedPods() == 1 ? " pod matches" : " pods match")
          + " the selector but none is ready";
    }
    status.setConditions(Conditions.set(status.getConditions(), Conditions.ENDPOINTS_AVAILABLE,
        registered > 0, reason, message, generation, now));
    return status;
  }

  /**
   * What the status says of the other clusters: for a shared name, each other cluster sharing it
   * and its endpoint count (in {@code otherClusters} and Ready's message), and ClusterSetConsistent;
   * for an Exclusive one, neither.
   *
   * @param clusters each other cluster sharing the name, to its endpoints under the service
   * @param ports each other cluster whose ports differ, to its ports
   * @param ownPorts this registration's ports, as member keys list them
   */
  public static ServiceRegistrationStatus clusterSet(ServiceRegistrationStatus synced, boolean shared,
      Map<String, Integer> clusters, Map<String, List<String>> ports, List<String> ownPorts, long generation,
      Instant now) {
    if (!shared && synced.getOtherClusters() == null
        && Conditions.find(synced.getConditions(), Conditions.CLUSTER_SET_CONSISTENT).isEmpty()) {
      return synced; // the usual Exclusive name: no copy on every reconcile
    }
    ServiceRegistrationStatus status = copyOf(synced);
    // Sorted by cluster name, so that the same clusters always make the same status (no patch).
    Map<String, Integer> otherClusters = new java.util.TreeMap<>(clusters);
    Map<String, List<String>> otherPorts = new java.util.TreeMap<>(ports);
    if (!shared) {
      status.setOtherClusters(null);
      status.setConditions(Conditions.without(status.getConditions(), Conditions.CLUSTER_SET_CONSISTENT));
      return status;
    }
    status.setOtherClusters(otherClusters.entrySet().stream()
        .map(e -> new ClusterEndpoints(e.getKey(), e.getValue())).toList());
    if (!otherClusters.isEmpty()) {
      Conditions.find(status.getConditions(), Conditions.READY).ifPresent(ready -> {
        int total = otherClusters.values().stream().mapToInt(Integer::intValue).sum();
        String message = ready.getMessage() + "; shared with " + (otherClusters.size() == 1 ? "cluster " : "clusters ")
            + summary(otherClusters.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").toList())
            + ": " + total + (total == 1 ? " endpoint" : " endpoints") + " of theirs under the service";
        status.setConditions(Conditions.set(status.getConditions(), Conditions.READY,
            "True".equals(ready.getStatus()), ready.getReason(), message, generation, now));
      });
    }
    boolean consistent = otherPorts.isEmpty();
    String message = consistent
        ? (otherClusters.isEmpty() ? "no other cluster shares the name yet"
            : "every cluster sharing the name registers the ports " + String.join(", ", ownPorts))
        : "this cluster registers the ports " + String.join(", ", ownPorts) + ", but "
            + summary(otherPorts.entrySet().stream()
                .map(e -> "cluster " + e.getKey() + " registers " + String.join(", ", e.getValue())).toList())
            + "; consumers see one service with different ports per cluster (every cluster still registers)";
    status.setConditions(Conditions.set(status.getConditions(), Conditions.CLUSTER_SET_CONSISTENT, consistent,
        consistent ? Reasons.SAME_PORTS : Reasons.INCONSISTENT_PORTS, message, generation, now));
    return status;
  }

  /** Ready=False for {@code reason}; what is registered stays as last observed. */
  public static ServiceRegistrationStatus notReady(ServiceRegistrationStatus previous, long generation,
      String reason, String message, Instant now) {
    ServiceRegistrationStatus status = copyOf(previous);
    status.setObservedGeneration(generation);
    status.setConditions(Conditions.set(status.getConditions(), Conditions.READY, false, reason,
        message, generation, now));
    return status;
  }

  /**
   * Ready=False for {@code reason}, and nothing registered: the registration holds no key (it
   * never did, or its keys and lease were just removed), so no count or lease is claimed.
   */
  public static ServiceRegistrationStatus withdrawn(ServiceRegistrationStatus previous, long generation,
      String reason, String message, Instant now) {
    ServiceRegistrationStatus status = notReady(previous, generation, reason, message, now);
    status.setLeaseId(null);
    status.setRegisteredEndpoints(0);
    status.setConditions(Conditions.set(status.getConditions(), Conditions.ENDPOINTS_AVAILABLE, false,
        reason, "no endpoint is registered", generation, now));
    return status;
  }

  /** "a, b, c", or "a, b, c and 2 more": a message that stays short however many there are. */
  public static String summary(List<String> notes) {
    String shown = String.join(", ", notes.subList(0, Math.min(MAX_NOTES, notes.size())));
    return notes.size() > MAX_NOTES ? shown + " and " + (notes.size() - MAX_NOTES) + " more" : shown;
  }

  private static ServiceRegistrationStatus copyOf(ServiceRegistrationStatus previous) {
    return previous == null ? new ServiceRegistrationStatus() : previous.copy();
  }
}
