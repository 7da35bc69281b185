package dev.registrar.operator.model;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The readiness gate's condition for each gated Pod a registration selects, as a pure function
 * of what the reconcile found. The gate turns True only once etcd committed the Pod's keys, and
 * turns False only when they are gone or were never written: a Pod already registered stays
 * Ready through an etcd outage or a broken spec, because its keys stay in etcd meanwhile.
 */
public final class ReadinessGates {

  private ReadinessGates() {}

  /** The condition one Pod is to show. */
  public record Next(Pod pod, GateCondition condition) {}

  public static GateCondition notSelected(Pod pod) {
    return new GateCondition(false, Reasons.GATE_NOT_SELECTED, "no ServiceRegistration in namespace "
        + pod.getMetadata().getNamespace() + " selects this Pod, so it is not registered in etcd");
  }

  /**
   * After a commit: True for each registrable Pod whose keys this registration now holds.
   *
   * @param gatedPods the gated Pods the registration selects and decides the gate of
   * @param heldElsewhere desired keys that another owner holds, with the holder
   */
  public static List<Next> afterCommit(String registration, List<Pod> gatedPods,
      DesiredState desired, Map<String, String> heldElsewhere) {
    List<Next> next = new ArrayList<>();
    // Each Pod's keys, found once: a registration of 10,000 gated Pods must not scan per Pod.
    Map<String, List<String>> keysByPod = new java.util.HashMap<>();
    desired.endpoints().forEach((key, endpoint) ->
        keysByPod.computeIfAbsent(endpoint.value().pod(), p -> new ArrayList<>()).add(key));
    for (Pod pod : gatedPods) {
      String name = pod.getMetadata().getName();
      if (!desired.registrablePodNames().contains(name)) {
        deregistered(pod).ifPresent(c -> next.add(new Next(pod, c)));
        continue;
      }
      List<String> keys = keysByPod.getOrDefault(name, List.of());
      List<String> held = keys.stream().filter(heldElsewhere::containsKey).toList();
      if (keys.isEmpty()) {
        next.add(new Next(pod, new GateCondition(false, Reasons.GATE_REGISTRATION_NOT_READY, "ServiceRegistration "
            + registration + " has no key for this Pod: " + skippedFor(name, desired))));
      } else if (!held.isEmpty()) {
        next.add(new Next(pod, new GateCondition(false, Reasons.GATE_REGISTRATION_NOT_READY, "ServiceRegistration "
            + registration + " cannot register " + held.get(0) + ": another owner holds it ("
            + heldElsewhere.get(held.get(0)) + ")")));
      } else {
        next.add(new Next(pod, new GateCondition(true, Reasons.GATE_REGISTERED, "registered in etcd by ServiceRegistration "
            + registration + ": " + StatusCalculator.summary(keys))));
      }
    }
    return next;
  }

  /**
   * The registration cannot register (a problem with its spec, its name, or etcd). Pods not yet
   * registered say why. Pods already registered stay so while their keys stay in etcd.
   *
   * @param keysKept false when the registration's keys were just removed (its name was refused)
   */
  public static List<Next> whileNotReady(String registration, List<Pod> gatedPods,
      boolean readinessGate, boolean publishNotReady, String reason, String message, boolean keysKept) {
    List<Next> next = new ArrayList<>();
    boolean etcd = Reasons.ETCD_UNAVAILABLE.equals(reason);
    for (Pod pod : gatedPods) {
      boolean registered = PodReadiness.condition(pod, PodReadiness.GATE)
          .map(c -> "True".equals(c.getStatus())).orElse(false);
      if (!PodReadiness.isRegistrable(pod, publishNotReady, readinessGate)) {
        deregistered(pod).filter(c -> !keysKept).ifPresent(c -> next.add(new Next(pod, c)));
      } else if (!registered || !keysKept) {
        next.add(new Next(pod, etcd
            ? new GateCondition(false, Reasons.GATE_ETCD_UNAVAILABLE, "etcd is unreachable, so ServiceRegistration "
                + registration + " cannot register this Pod yet: " + message)
            : new GateCondition(false, Reasons.GATE_REGISTRATION_NOT_READY, "ServiceRegistration " + registration
                + " is not Ready (" + reason + "): " + message)));
      }
    }
    return next;
  }

  /**
   * The condition of a Pod that several registrations select, from what each said at its last
   * reconcile: True only when every registration that selects it says True (a rollout must not
   * take an old Pod away while a consumer of any of its services would miss the new one); False
   * as soon as one says False (the first by name, so that the message is stable); otherwise
   * nothing yet, while a registration has not decided.
   *
   * @param verdicts what each registration (by "namespace/name") said, if anything
   * @param selecting the registrations that select the Pod now
   */
  public static Optional<GateCondition> combine(Map<String, GateCondition> verdicts, java.util.Collection<String> selecting) {
    List<String> names = selecting.stream().sorted().toList();
    if (names.isEmpty()) {
      return Optional.empty();
    }
    for (String name : names) {
      GateCondition said = verdicts.get(name);
      if (said != null && !said.registered()) {
        return Optional.of(said);
      }
    }
    if (!names.stream().allMatch(verdicts::containsKey)) {
      return Optional.empty();
    }
    if (names.size() == 1) {
      return Optional.of(verdicts.get(names.get(0)));
    }
    return Optional.of(new GateCondition(true, Reasons.GATE_REGISTERED, "registered in etcd by all " + names.size()
        + " ServiceRegistrations that select it: " + String.join("; ", names.stream()
            .map(name -> verdicts.get(name).message()).toList())));
  }

  /** A Pod that stopped being registrable: False if it was registered, else nothing to say. */
  private static Optional<GateCondition> deregistered(Pod pod) {
    boolean registered = PodReadiness.condition(pod, PodReadiness.GATE)
        .map(c -> "True".equals(c.getStatus())).orElse(false);
    if (!registered) {
      return Optional.empty();
    }
    String why = PodReadiness.isTerminating(pod) ? "it is terminating"
        : PodReadiness.hasNoIp(pod) ? "it has no IP"
        : PodReadiness.isFinished(pod) ? "it has finished"
        : "its containers are not ready";
    return Optional.of(new GateCondition(false, Reasons.GATE_DEREGISTERED,
        "its keys were deleted from etcd: " + why));
  }

  private static String skippedFor(String pod, DesiredState desired) {
    return desired.skipped().stream().filter(note -> note.startsWith("pod " + pod + " ")).findFirst()
        .orElse("none of its ports resolves");
  }
}
