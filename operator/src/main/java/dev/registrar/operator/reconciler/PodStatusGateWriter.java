package dev.registrar.operator.reconciler;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.registrar.operator.metrics.RegistrarMetrics;
import dev.registrar.operator.model.GateCondition;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.model.ReadinessLatencies;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the readiness gate's condition to {@code pods/status}, from a thread of its own so that
 * a reconcile never waits for it, and only on a change.
 *
 * <p>The write is a JSON Patch (RFC 6902) that touches this one condition only, so the kubelet's
 * conditions and the Pod's IP are never part of it. (A strategic merge patch would do the same on
 * a real API server, which merges conditions by type; the JSON Patch behaves the same on any
 * server.) Replacing the condition tests first that the entry at its index is still ours, so a
 * kubelet update in between costs nothing. Adding it (once per Pod) reads the Pod first and tests
 * its resourceVersion, so that the condition is never added twice. A failed test: the Pod is read
 * again and the patch made anew.
 *
 * <p>Writes for one Pod coalesce: only the latest condition asked for is written. Writes for
 * different Pods go out side by side ({@link #THREADS} at a time in the operator): a mass of Pods
 * turning ready at once (a fresh install, the operator back after an outage) is not written one
 * patch at a time.
 */
public final class PodStatusGateWriter implements GateWriter {

  private static final Logger LOG = LoggerFactory.getLogger(PodStatusGateWriter.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int ATTEMPTS = 4;
  /** Patches in flight at once, for different Pods. */
  public static final int THREADS = 4;

  private final KubernetesClient client;
  private final Executor executor;
  private final Clock clock;
  private final RegistrarMetrics metrics;
  // Per Pod (namespace/name): the newest condition asked for, not yet written.
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  // Pods (namespace/name) that a thread is writing now: one at a time per Pod.
  private final java.util.Set<String> draining = ConcurrentHashMap.newKeySet();
  // Per Pod UID: what was written last, and the Pod's resourceVersion it was written over, until
  // the informer cache shows it. A Pod seen at that same version predates the write (skip it); one
  // at another version without the condition was changed since (someone edited it: write again).
  private final Map<String, Written> written = new ConcurrentHashMap<>();

  private record Written(GateCondition condition, String over) {}
  private volatile boolean forbiddenLogged;
  // Containers that turned ready before this process started say nothing about its speed.
  private final Instant startedAt;

  private record Pending(Pod pod, GateCondition next) {}

  /**
   * @param executor any number of threads: the writes of one Pod are made by one thread at a time,
   *     in order, and different Pods' writes side by side
   */
  public PodStatusGateWriter(KubernetesClient client, Executor executor, Clock clock, RegistrarMetrics metrics) {
    this.client = client;
    this.executor = executor;
    this.clock = clock;
    this.metrics = metrics;
    this.startedAt = clock.instant();
  }

  @Override
  public void write(Pod pod, GateCondition next) {
    String uid = pod.getMetadata().getUid();
    if (next.isShownBy(pod)) {
      if (uid != null) {
        written.computeIfPresent(uid, (k, w) -> w.condition().equals(next) ? null : w); // the cache caught up
      }
      return;
    }
    Written last = uid == null ? null : written.get(uid);
    if (last != null && last.condition().equals(next)
        && java.util.Objects.equals(last.over(), pod.getMetadata().getResourceVersion())) {
      return; // written already; the cache has not seen it yet
    }
    String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    pending.put(key, new Pending(pod, next));
    schedule(key);
  }

  /** One drain per Pod at a time, so that its writes keep their order; Pods drain side by side. */
  private void schedule(String key) {
    if (draining.add(key)) {
      try {
        executor.execute(() -> drain(key));
      } catch (RejectedExecutionException e) {
        draining.remove(key); // stopping
        pending.remove(key);
      }
    }
  }

  @Override
  public void forget(Pod pod) {
    if (pod.getMetadata().getUid() != null) {
      written.remove(pod.getMetadata().getUid());
    }
  }

  private void drain(String key) {
    while (true) {
      Pending request = pending.remove(key);
      if (request == null) {
        draining.remove(key);
        // A request that came after the remove and before this line found the Pod still draining.
        if (pending.containsKey(key) && draining.add(key)) {
          continue;
        }
        return;
      }
      try {
        write(key, request);
      } catch (RuntimeException e) {
        // Never leave the Pod marked as draining: its next request must still be written.
        LOG.warn("pod {}: could not set {}: {}", key, PodReadiness.GATE, e.toString());
      }
    }
  }

  private void write(String key, Pending request) {
    Pod pod = request.pod();
    if (PodReadiness.condition(pod, PodReadiness.GATE).isEmpty()) {
      // Adding the condition tests the Pod's resourceVersion: read the Pod as it is now, since the
      // cached copy may predate a kubelet update or our own last write. A failed test costs a
      // retry here, but a server that never answers it (fabric8's plain mock) would hold this
      // thread for the client's whole request timeout.
      Optional<Pod> current = fresh(pod);
      if (current.isEmpty() || request.next().isShownBy(current.get())) {
        return;
      }
      pod = current.get();
    }
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        patch(pod, request.next());
        if (pod.getMetadata().getUid() != null) {
          written.put(pod.getMetadata().getUid(), new Written(request.next(), pod.getMetadata().getResourceVersion()));
        }
        if (request.next().registered()) {
          ReadinessLatencies.toGate(pod, startedAt, clock.instant()).ifPresent(metrics::readinessGate);
        }
        LOG.debug("pod {}: {}={} ({})", key, PodReadiness.GATE, request.next().status(), request.next().reason());
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return; // the Pod is gone
        }
        if (e.getCode() == 403) {
          if (!forbiddenLogged) {
            forbiddenLogged = true;
            LOG.warn("may not patch pods/status, so the readiness gate {} cannot be set (grant the permission, "
                + "or set REGISTRAR_POD_READINESS_GATE=false): {}", PodReadiness.GATE, e.getMessage());
          }
          return;
        }
        if (attempt == ATTEMPTS) {
          LOG.warn("pod {}: could not set {}={} after {} attempts: {}", key, PodReadiness.GATE,
              request.next().status(), ATTEMPTS, e.getMessage());
          return;
        }
        // Most likely the resourceVersion test failed: read the Pod as it is now, and decide again.
        Optional<Pod> current = fresh(pod);
        if (current.isEmpty() || request.next().isShownBy(current.get())) {
          return;
        }
        pod = current.get();
      }
    }
  }

  private void patch(Pod pod, GateCondition next) {
    List<PodCondition> conditions = pod.getStatus() == null || pod.getStatus().getConditions() == null
        ? List.of() : pod.getStatus().getConditions();
    int index = -1;
    for (int i = 0; i < conditions.size(); i++) {
      if (PodReadiness.GATE.equals(conditions.get(i).getType())) {
        index = i;
        break;
      }
    }
    Optional<PodCondition> previous = index < 0 ? Optional.empty() : Optional.of(conditions.get(index));
    // lastTransitionTime moves only when the status flips.
    String transition = previous.filter(c -> next.status().equals(c.getStatus()) && c.getLastTransitionTime() != null)
        .map(PodCondition::getLastTransitionTime)
        .orElseGet(() -> clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
    ObjectNode condition = JSON.createObjectNode()
        .put("type", PodReadiness.GATE)
        .put("status", next.status())
        .put("reason", next.reason())
        .put("message", next.message())
        .put("lastTransitionTime", transition);
    condition.putNull("lastProbeTime");
    ArrayNode ops = JSON.createArrayNode();
    if (index >= 0) {
      ops.addObject().put("op", "test").put("path", "/status/conditions/" + index + "/type").put("value", PodReadiness.GATE);
      ops.addObject().put("op", "replace").put("path", "/status/conditions/" + index).set("value", condition);
      patch(pod, ops);
      return;
    }
    ops.addObject().put("op", "test").put("path", "/metadata/resourceVersion")
        .put("value", pod.getMetadata().getResourceVersion());
    if (pod.getStatus() == null) {
      ops.addObject().put("op", "add").put("path", "/status").set("value",
          JSON.createObjectNode().set("conditions", JSON.createArrayNode().add(condition)));
    } else if (!conditions.isEmpty()) {
      ops.addObject().put("op", "add").put("path", "/status/conditions/-").set("value", condition);
    } else {
      ops.addObject().put("op", "add").put("path", "/status/conditions").set("value",
          JSON.createArrayNode().add(condition));
    }
    patch(pod, ops);
  }

  private void patch(Pod pod, ArrayNode ops) {
    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
        .subresource("status").patch(PatchContext.of(PatchType.JSON), ops.toString());
  }

  /** The Pod as the API server has it now, if it is still the same Pod. */
  private Optional<Pod> fresh(Pod pod) {
    Pod current = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
    return Optional.ofNullable(current)
        .filter(c -> java.util.Objects.equals(c.getMetadata().getUid(), pod.getMetadata().getUid()));
  }

}
