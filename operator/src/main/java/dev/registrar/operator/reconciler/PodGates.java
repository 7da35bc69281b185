package dev.registrar.operator.reconciler;

import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.model.ReadinessGates;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Serves the readiness gate {@code registrar.dev/registered}: which registration decides a
 * gated Pod's condition, and handing {@link ReadinessGates}' decisions to the {@link GateWriter}.
 *
 * <p>A Pod that several registrations select gets its condition from the first of them by name,
 * so that two registrations never flip it back and forth.
 */
final class PodGates {

  private final boolean enabled;
  private final GateWriter writer;
  // The registrations that select a Pod now (from the registration cache).
  private volatile Function<Pod, List<ServiceRegistration>> selecting = pod -> List.of();

  PodGates(boolean enabled, GateWriter writer) {
    this.enabled = enabled;
    this.writer = enabled ? writer : GateWriter.NONE;
  }

  boolean enabled() {
    return enabled;
  }

  void useSelecting(Function<Pod, List<ServiceRegistration>> selecting) {
    this.selecting = selecting;
  }

  /** The gated Pods among {@code pods} whose condition {@code registration} decides. */
  List<Pod> decidedBy(ServiceRegistration registration, List<Pod> pods) {
    if (!enabled) {
      return List.of();
    }
    ResourceID id = ResourceID.fromResource(registration);
    return pods.stream().filter(PodReadiness::hasGate)
        .filter(pod -> decider(pod).map(id::equals).orElse(true))
        .toList();
  }

  void write(List<ReadinessGates.Next> next) {
    next.forEach(n -> writer.write(n.pod(), n.condition()));
  }

  /** A gated Pod that no registration selects now says so; a deleted one is forgotten. */
  void podChanged(Pod pod, boolean deleted) {
    if (!enabled) {
      return;
    }
    if (deleted) {
      writer.forget(pod);
    } else if (PodReadiness.hasGate(pod) && decider(pod).isEmpty()) {
      writer.write(pod, ReadinessGates.notSelected(pod));
    }
  }

  private Optional<ResourceID> decider(Pod pod) {
    return selecting.apply(pod).stream().map(ResourceID::fromResource)
        .min(Comparator.comparing(ResourceID::getName));
  }
}
