package dev.registrar.operator.model;

import dev.registrar.operator.customresource.ServiceRegistrationStatus;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** The next status, as a pure function of the previous one and what the reconcile found. */
public final class StatusCalculator {

  /** How many notes a condition message quotes before it says "and N more". */
  static final int MAX_NOTES = 3;

  private StatusCalculator() {}

  /** etcd now holds exactly the desired keys (less any held by another owner) under the lease. */
  public static ServiceRegistrationStatus synced(ServiceRegistrationStatus previous, long generation,
      String leaseId, DesiredState desired, int registered, Set<String> foreignKeys, Instant now) {
    ServiceRegistrationStatus status = copyOf(previous);
    status.setObservedGeneration(generation);
    status.setLeaseId(leaseId);
    status.setMatchedPods(desired.matchedPods());
    status.setRegisteredEndpoints(registered);

    StringBuilder ready = new StringBuilder()
        .append(registered).append(registered == 1 ? " endpoint" : " endpoints")
        .append(" registered under lease ").append(leaseId);
    if (!desired.skipped().isEmpty()) {
      ready.append("; skipped: ").append(summary(desired.skipped()));
    }
    if (!foreignKeys.isEmpty()) {
      ready.append("; keys of another owner under the service path left untouched: ")
          .append(summary(List.copyOf(foreignKeys)));
    }
    status.setConditions(Conditions.set(status.getConditions(), Conditions.READY, true,
        Reasons.SYNCED, ready.toString(), generation, now));

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

  /** Ready=False for {@code reason}; what is registered stays as last observed. */
  public static ServiceRegistrationStatus notReady(ServiceRegistrationStatus previous, long generation,
      String reason, String message, Instant now) {
    ServiceRegistrationStatus status = copyOf(previous);
    status.setObservedGeneration(generation);
    status.setConditions(Conditions.set(status.getConditions(), Conditions.READY, false, reason,
        message, generation, now));
    return status;
  }

  static String summary(List<String> notes) {
    String shown = String.join(", ", notes.subList(0, Math.min(MAX_NOTES, notes.size())));
    return notes.size() > MAX_NOTES ? shown + " and " + (notes.size() - MAX_NOTES) + " more" : shown;
  }

  private static ServiceRegistrationStatus copyOf(ServiceRegistrationStatus previous) {
    return previous == null ? new ServiceRegistrationStatus() : previous.copy();
  }
}
