package dev.registrar.operator.reconciler;

import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.GateCondition;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.model.ReadinessGates;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the readiness gate {@code registrar.dev/registered}: collects what each registration
 * says about a gated Pod, combines it ({@link ReadinessGates#combine}: True only when every
 * registration that selects the Pod holds its keys), and hands the result to the
 * {@link GateWriter}. The condition last decided for a Pod is put back at once when someone
 * edits or deletes it, not at the next resync.
 *
 * <p>With the gate not served, a selected Pod that lists it would never turn Ready: it gets one
 * Warning Event and the log one line, once per Pod.
 */
final class PodGates {

  private static final Logger LOG = LoggerFactory.getLogger(PodGates.class);
  static final String GATE_NOT_SERVED = "ReadinessGateNotServed";

  private final boolean enabled;
  private final GateWriter writer;
  private final BiConsumer<Pod, String> warnPod;
  private final Function<ResourceID, Set<ResourceID>> matchedBy;
  // The registrations that select a Pod now (from the registration cache).
  private volatile Function<Pod, List<ServiceRegistration>> selecting = pod -> List.of();
  // Per gated Pod: what each registration said at its last reconcile (by "namespace/name").
  private final Map<ResourceID, Map<String, GateCondition>> verdicts = new ConcurrentHashMap<>();
  // Per gated Pod: the condition last decided, put back when someone edits or deletes it.
  private final Map<ResourceID, GateCondition> decided = new ConcurrentHashMap<>();
  // Gated Pods told that the gate is not served (namespace/name/uid).
  private final Set<String> toldNotServed = ConcurrentHashMap.newKeySet();

  /**
   * @param matchedBy the registrations that matched a Pod at their last reconcile
   * @param warnPod a Warning Event on a Pod, with its reason ({@link #GATE_NOT_SERVED})
   */
  PodGates(boolean enabled, GateWriter writer, Function<ResourceID, Set<ResourceID>> matchedBy,
      BiConsumer<Pod, String> warnPod) {
    this.enabled = enabled;
    this.writer = enabled ? writer : GateWriter.NONE;
    this.matchedBy = matchedBy;
    this.warnPod = warnPod;
  }

  boolean enabled() {
    return enabled;
  }

  void useSelecting(Function<Pod, List<ServiceRegistration>> selecting) {
    this.selecting = selecting;
  }

  /** The gated Pods among {@code pods}: a registration says something about each. */
  List<Pod> gated(List<Pod> pods) {
    return enabled ? pods.stream().filter(PodReadiness::hasGate).toList() : List.of();
  }

  /**
   * What {@code registration} says about the gated Pods it considered ({@code next}: the Pods
   * it has something to say about; silence about the others), then each Pod's combined condition.
   */
  void write(ServiceRegistration registration, List<Pod> considered, List<ReadinessGates.Next> next) {
    String by = ServiceRegistrationReconciler.nameOf(registration);
    Map<String, GateCondition> said = new HashMap<>();
    next.forEach(n -> said.put(n.pod().getMetadata().getName(), n.condition()));
    for (Pod pod : considered) {
      ResourceID id = ResourceID.fromResource(pod);
      Map<String, GateCondition> forPod = verdicts.computeIfAbsent(id, k -> new ConcurrentHashMap<>());
      GateCondition verdict = said.get(pod.getMetadata().getName());
      GateCondition before = verdict == null ? forPod.remove(by) : forPod.put(by, verdict);
      GateCondition shown = decided.get(id);
      // The steady state of a reconcile: the same verdict, and the Pod shows the decision. Deciding
      // again would match every registration of the namespace against every Pod for nothing.
      if (!java.util.Objects.equals(before, verdict) || shown == null || !shown.isShownBy(pod)) {
        decide(pod, false);
      }
    }
  }

  /**
   * A Pod was added, updated or deleted: a gated Pod that no registration selects says so; one
   * whose condition someone edited or deleted gets the last decided one back.
   */
  void podChanged(Pod pod, boolean deleted) {
    ResourceID id = ResourceID.fromResource(pod);
    if (deleted) {
      verdicts.remove(id);
      decided.remove(id);
      toldNotServed.remove(podKey(pod));
      writer.forget(pod);
    } else if (enabled && PodReadiness.hasGate(pod)) {
      decide(pod, true);
    }
  }

  /**
   * With the gate not served, the gated Pods a registration selects would never turn Ready: say
   * so on each, once.
   */
  void notServed(ServiceRegistration registration, List<Pod> selected) {
    if (enabled) {
      return;
    }
    for (Pod pod : selected) {
      if (PodReadiness.hasGate(pod) && toldNotServed.add(podKey(pod))) {
        String message = "this Pod lists the readiness gate " + PodReadiness.GATE + " and ServiceRegistration "
            + ServiceRegistrationReconciler.nameOf(registration) + " selects it, but the operator does not serve the gate "
            + "(REGISTRAR_POD_READINESS_GATE=false): the Pod never turns Ready. Serve the gate, or remove it "
            + "from the Pod template's readinessGates";
        LOG.warn("pod {}/{}: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), message);
        warnPod.accept(pod, message);
      }
    }
  }

  private void decide(Pod pod, boolean putBack) {
    ResourceID id = ResourceID.fromResource(pod);
    // Those that select it now, and those that matched it at their last reconcile and have not
    // reconciled since: a registration that just started selecting it has a say before its
    // first reconcile, and one that stopped keeps it until its reconcile lets go.
    Set<String> selectors = new java.util.TreeSet<>();
    selecting.apply(pod).forEach(r -> selectors.add(ServiceRegistrationReconciler.nameOf(r)));
    matchedBy.apply(id).forEach(r -> selectors.add(r.getNamespace().orElse("") + "/" + r.getName()));
    if (selectors.isEmpty()) {
      GateCondition none = ReadinessGates.notSelected(pod);
      decided.put(id, none);
      writer.write(pod, none);
      return;
    }
    Map<String, GateCondition> forPod = verdicts.get(id);
    if (forPod == null) {
      forPod = Map.of();
    } else {
      forPod.keySet().retainAll(selectors); // registrations that stopped selecting it have no say
    }
    Optional<GateCondition> next = ReadinessGates.combine(forPod, selectors);
    next.ifPresent(c -> decided.put(id, c));
    GateCondition toWrite = next.orElse(putBack ? decided.get(id) : null);
    if (toWrite != null) {
      writer.write(pod, toWrite);
    }
  }

  private static String podKey(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + "/" + pod.getMetadata().getUid();
  }
}
