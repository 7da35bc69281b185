package dev.registrar.testing.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The kubelet's rules for a Pod's status, as pure functions: what {@link SimulatedKubelet} writes.
 * The ones a rollout depends on follow kubelet's own code ({@code pkg/kubelet/status/generate.go}):
 * {@code Ready} is True only when {@code ContainersReady} is True and every condition named in
 * {@code spec.readinessGates} is True; conditions the kubelet does not own (the gates) are kept
 * as others wrote them; a terminating Pod's containers are stopped, so it is not ready.
 */
public final class KubeletRules {

  /** The annotation that keeps a Pod's containers unready ({@code "false"}), as a failing readiness probe would. */
  public static final String READY_ANNOTATION = "sandbox.registrar.dev/ready";

  static final Set<String> KUBELET_CONDITIONS = Set.of("PodReadyToStartContainers", "PodScheduled", "Initialized",
      "ContainersReady", "Ready");

  private KubeletRules() {}

  /** What the containers say: ready unless the Pod is terminating or annotated unready. */
  public static boolean containersReady(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    Map<String, String> annotations = Optional.ofNullable(pod.getMetadata().getAnnotations()).orElse(Map.of());
    return !"false".equalsIgnoreCase(annotations.getOrDefault(READY_ANNOTATION, "true").strip());
  }

  /** kubelet's rule: ContainersReady and every readiness gate's condition True. */
  public static boolean ready(Pod pod, boolean containersReady) {
    if (!containersReady) {
      return false;
    }
    List<PodReadinessGate> gates = Optional.ofNullable(pod.getSpec().getReadinessGates()).orElse(List.of());
    return gates.stream().allMatch(gate -> "True".equals(conditionStatus(pod.getStatus(), gate.getConditionType())));
  }

  /** The readiness gates whose condition is not True (what kubelet names in Ready's message). */
  public static List<String> gatesNotTrue(Pod pod) {
    return Optional.ofNullable(pod.getSpec().getReadinessGates()).orElse(List.of()).stream()
        .map(PodReadinessGate::getConditionType)
        .filter(type -> !"True".equals(conditionStatus(pod.getStatus(), type)))
        .toList();
  }

  /**
   * The status of a started Pod on {@code hostIp}, with IP {@code podIp}, at {@code now}: Running,
   * its containers' readiness from {@link #containersReady}, Ready by kubelet's rule, every
   * condition the kubelet does not own kept as it is. A condition's lastTransitionTime moves only
   * when its status changes.
   */
  public static PodStatus running(Pod pod, String hostIp, String podIp, Instant now) {
    PodStatus current = Optional.ofNullable(pod.getStatus()).orElseGet(PodStatus::new);
    String timestamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
    String started = current.getStartTime() != null ? current.getStartTime() : timestamp;
    boolean containersReady = containersReady(pod);
    boolean ready = ready(pod, containersReady);
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition(current, "PodReadyToStartContainers", true, null, null, timestamp));
    conditions.add(condition(current, "Initialized", true, null, null, timestamp));
    conditions.add(condition(current, "ContainersReady", containersReady,
        containersReady ? null : "ContainersNotReady", containersReady ? null : notReadyMessage(pod), timestamp));
    List<String> gates = gatesNotTrue(pod);
    String reason = ready ? null : !containersReady ? "ContainersNotReady" : "ReadinessGatesNotReady";
    String message = ready ? null : !containersReady ? notReadyMessage(pod)
        : "corresponding condition of pod readiness gate \"" + gates.get(0) + "\" does not exist or is not True";
    conditions.add(condition(current, "Ready", ready, reason, message, timestamp));
    conditions.add(condition(current, "PodScheduled", true, null, null, timestamp));
    Optional.ofNullable(current.getConditions()).orElse(List.of()).stream()
        .filter(c -> !KUBELET_CONDITIONS.contains(c.getType()))
        .forEach(conditions::add);
    return new PodStatusBuilder(current)
        .withPhase("Running")
        .withHostIP(hostIp)
        .withPodIP(podIp)
        .withPodIPs(new PodIPBuilder().withIp(podIp).build())
        .withStartTime(started)
        .withConditions(conditions)
        .withContainerStatuses(containerStatuses(pod, containersReady, started))
        .build();
  }

  /** Whether {@code desired} differs from {@code current} in anything the kubelet decides. */
  public static boolean changed(PodStatus current, PodStatus desired) {
    if (current == null) {
      return true;
    }
    return !Objects.equals(current.getPhase(), desired.getPhase())
        || !Objects.equals(current.getPodIP(), desired.getPodIP())
        || KUBELET_CONDITIONS.stream().anyMatch(type -> !Objects.equals(conditionStatus(current, type),
            conditionStatus(desired, type)));
  }

  /** The status of condition {@code type}, or null when the Pod has none. */
  public static String conditionStatus(PodStatus status, String type) {
    if (status == null || status.getConditions() == null) {
      return null;
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).map(PodCondition::getStatus)
        .findFirst().orElse(null);
  }

  private static String notReadyMessage(Pod pod) {
    List<String> names = pod.getSpec().getContainers().stream().map(Container::getName).toList();
    return "containers with unready status: [" + String.join(" ", names) + "]";
  }

  private static PodCondition condition(PodStatus current, String type, boolean value, String reason, String message,
      String now) {
    String status = value ? "True" : "False";
    String since = Optional.ofNullable(current.getConditions()).orElse(List.of()).stream()
        .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
        .map(PodCondition::getLastTransitionTime).filter(Objects::nonNull).findFirst().orElse(now);
    return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastTransitionTime(since).build();
  }

  private static List<ContainerStatus> containerStatuses(Pod pod, boolean ready, String started) {
    return pod.getSpec().getContainers().stream().map(container -> new ContainerStatusBuilder()
        .withName(container.getName())
        .withImage(container.getImage())
        .withImageID("")
        .withContainerID("simulated://" + pod.getMetadata().getUid() + "/" + container.getName())
        .withReady(ready)
        .withStarted(true)
        .withRestartCount(0)
        .withNewState().withNewRunning().withStartedAt(started).endRunning().endState()
        .build()).toList();
  }
}
