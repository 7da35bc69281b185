package dev.registrar.operator.model;

/**
 * What the Pod condition {@code registrar.dev/registered} is to say.
 *
 * @param registered True: etcd holds the Pod's keys
 * @param reason CamelCase, one of the {@code GATE_} reasons of {@link Reasons}
 * @param message what {@code kubectl describe pod} shows
 */
public record GateCondition(boolean registered, String reason, String message) {

  public String status() {
    return registered ? "True" : "False";
  }

  /** Whether the Pod's condition says this already (status and reason; the message may differ). */
  public boolean isShownBy(io.fabric8.kubernetes.api.model.Pod pod) {
    return PodReadiness.condition(pod, PodReadiness.GATE)
        .map(c -> status().equals(c.getStatus()) && reason.equals(c.getReason())).orElse(false);
  }
}
