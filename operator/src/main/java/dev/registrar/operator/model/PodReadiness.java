package dev.registrar.operator.model;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

/** Which Pods are registered: the EndpointSlice controller's rules. */
public final class PodReadiness {

  private PodReadiness() {}

  /**
   * A Pod is registered when it has an IP, has not finished (Succeeded/Failed), is not
   * terminating, and is Ready, or when not-ready addresses are published.
   */
  public static boolean isRegistrable(Pod pod, boolean publishNotReadyAddresses) {
    if (hasNoIp(pod) || isFinished(pod) || isTerminating(pod)) {
      return false;
    }
    return publishNotReadyAddresses || isReady(pod);
  }

  public static boolean isReady(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition condition : pod.getStatus().getConditions()) {
      if ("Ready".equals(condition.getType())) {
        return "True".equals(condition.getStatus());
      }
    }
    return false;
  }

  public static boolean isTerminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  static boolean isFinished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  static boolean hasNoIp(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getPodIP() == null
        || pod.getStatus().getPodIP().isBlank();
  }
}
