package dev.registrar.operator.model;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.Optional;

/** Which Pods are registered: the EndpointSlice controller's rules, and the readiness gate. */
public final class PodReadiness {

  /** The readiness gate's condition type: a Pod listing it is Ready only once it is True. */
  public static final String GATE = "registrar.dev/registered";

  private PodReadiness() {}

  /**
   * A Pod is registered when it has an IP, has not finished (Succeeded/Failed), is not
   * terminating, and is Ready, or when not-ready addresses are published. A Pod with the
   * readiness gate is registered once its containers are ready: its Ready waits for the gate,
   * which waits for the registration.
   *
   * @param readinessGate whether the operator serves the gate (REGISTRAR_POD_READINESS_GATE)
   */
  public static boolean isRegistrable(Pod pod, boolean publishNotReadyAddresses, boolean readinessGate) {
    if (hasNoIp(pod) || isFinished(pod) || isTerminating(pod)) {
      return false;
    }
    return publishNotReadyAddresses || (readinessGate && hasGate(pod) ? isContainersReady(pod) : isReady(pod));
  }

  /** With the readiness gate served. */
  public static boolean isRegistrable(Pod pod, boolean publishNotReadyAddresses) {
    return isRegistrable(pod, publishNotReadyAddresses, true);
  }

  /** Whether the Pod lists the gate in {@code spec.readinessGates}. */
  public static boolean hasGate(Pod pod) {
    return pod.getSpec() != null && pod.getSpec().getReadinessGates() != null
        && pod.getSpec().getReadinessGates().stream().anyMatch(g -> GATE.equals(g.getConditionType()));
  }

  /** The condition whose transition makes the Pod registrable: ContainersReady when gated, else Ready. */
  public static String readinessCondition(Pod pod, boolean readinessGate) {
    return readinessGate && hasGate(pod) ? "ContainersReady" : "Ready";
  }

  public static boolean isReady(Pod pod) {
    return condition(pod, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  public static boolean isContainersReady(Pod pod) {
    return condition(pod, "ContainersReady").map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  public static Optional<PodCondition> condition(Pod pod, String type) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTerminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  public static boolean isFinished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  public static boolean hasNoIp(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getPodIP() == null
        || pod.getStatus().getPodIP().isBlank();
  }
}
