package dev.registrar.operator.reconciler;

import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.model.ReadinessGates;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
  // The registrations that matched a Pod at their last reconcile: an index lookup, not a scan.
  private final Function<ResourceID, Set<ResourceID>> matchedBy;
  // The registrations that select a Pod now (from the registration cache).
  private volatile Function<Pod, List<ServiceRegistration>> selecting = pod -> List.of();

  PodGates(boolean enabled, GateWriter writer, Function<ResourceID, Set<ResourceID>> matchedBy) {
    this.enabled = enabled;
    this.writer = enabled ? writer : GateWriter.NONE;
    this.matchedBy = matchedBy;
  }

  boolean enabled() {
    return enabled;
  }

  void useSelecting(Function<Pod, List<ServiceRegistration>> selecting) {
    this.selecting = selecting;
  }

  /**
   * The gated Pods among {@code pods} whose condition {@code registration} decides: those that no
   * registration before it by name matched at its last reconcile. (A reconcile of 10,000 gated
   * Pods looks each up in the membership index rather than matching every registration's selector.)
   */
  List<Pod> decidedBy(ServiceRegistration registration, List<Pod> pods) {
    if (!enabled) {
      return List.of();
    }
    ResourceID id = ResourceID.fromResource(registration);
    return pods.stream().filter(PodReadiness::hasGate)
        .filter(pod -> first(matchedBy.apply(ResourceID.fromResource(pod)).stream()).map(id::equals).orElse(true))
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

  /** Who decides a Pod's condition outside a reconcile: the registrations that select it now. */
  private Optional<ResourceID> decider(Pod pod) {
    return first(selecting.apply(pod).stream().map(ResourceID::fromResource));
  }

  private static Optional<ResourceID> first(java.util.stream.Stream<ResourceID> registrations) {
    return registrations.min(Comparator.comparing(ResourceID::getName));
  }
}
