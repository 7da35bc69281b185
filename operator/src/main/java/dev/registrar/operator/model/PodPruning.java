package dev.registrar.operator.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of a Pod the operator reads, and nothing else: what its Pod cache keeps. A Pod as the
 * API serves it carries managedFields, env, volumes, probes, images and the last-applied
 * annotation, which the operator never looks at and which dominated its heap.
 *
 * <p>Empty maps and lists stay empty, never null, as fabric8 makes them (JOSDK reads the
 * annotations of cached Pods without a null check).
 *
 * <p>Kept: metadata name, namespace, uid, resourceVersion, labels, deletionTimestamp and the
 * {@code registrar.dev} annotations; spec nodeName, readinessGates and each container's name and
 * ports; status phase, podIP, podIPs and conditions (type, status, lastTransitionTime; the reason of
 * the readiness gate's own condition).
 */
public final class PodPruning {

  /** Annotations under these prefixes are the operator's own; every other one is dropped. */
  static final List<String> KEPT_ANNOTATION_PREFIXES = List.of("registrar.dev/", "metadata.registrar.dev/");

  private PodPruning() {}

  /**
   * Whether an update changed nothing a reconcile reads: what the cache keeps, less the
   * resourceVersion and the readiness gate's condition (the operator's own write, which decides
   * nothing about keys).
   */
  public static boolean nothingReadChanged(Pod before, Pod after) {
    return readPart(before).equals(readPart(after));
  }

  private static Pod readPart(Pod pod) {
    Pod pruned = prune(pod);
    if (pruned.getMetadata() != null) {
      pruned.getMetadata().setResourceVersion(null);
    }
    if (pruned.getStatus() != null && pruned.getStatus().getConditions() != null) {
      pruned.getStatus().setConditions(pruned.getStatus().getConditions().stream()
          .filter(c -> !PodReadiness.GATE.equals(c.getType())).toList());
    }
    return pruned;
  }

  public static Pod prune(Pod pod) {
    Pod pruned = new Pod();
    pruned.setApiVersion(pod.getApiVersion());
    pruned.setKind(pod.getKind());
    pruned.setMetadata(metadata(pod.getMetadata()));
    pruned.setSpec(spec(pod.getSpec()));
    pruned.setStatus(status(pod.getStatus()));
    return pruned;
  }

  private static ObjectMeta metadata(ObjectMeta full) {
    if (full == null) {
      return null;
    }
    ObjectMeta kept = new ObjectMeta();
    kept.setName(full.getName());
    kept.setNamespace(full.getNamespace());
    kept.setUid(full.getUid());
    kept.setResourceVersion(full.getResourceVersion());
    kept.setDeletionTimestamp(full.getDeletionTimestamp());
    kept.setLabels(full.getLabels());
    if (full.getAnnotations() != null) {
      Map<String, String> annotations = new LinkedHashMap<>();
      full.getAnnotations().forEach((key, value) -> {
        if (KEPT_ANNOTATION_PREFIXES.stream().anyMatch(key::startsWith)) {
          annotations.put(key, value);
        }
      });
      kept.setAnnotations(annotations);
    }
    return kept;
  }

  private static PodSpec spec(PodSpec full) {
    if (full == null) {
      return null;
    }
    PodSpec kept = new PodSpec();
    kept.setNodeName(full.getNodeName());
    kept.setReadinessGates(full.getReadinessGates());
    if (full.getContainers() != null) {
      kept.setContainers(full.getContainers().stream().map(PodPruning::container).toList());
    }
    return kept;
  }

  private static Container container(Container full) {
    Container kept = new Container();
    kept.setName(full.getName());
    if (full.getPorts() != null) {
      kept.setPorts(full.getPorts().stream().map(port -> {
        ContainerPort p = new ContainerPort();
        p.setName(port.getName());
        p.setContainerPort(port.getContainerPort());
        p.setProtocol(port.getProtocol());
        return p;
      }).toList());
    }
    return kept;
  }

  private static PodStatus status(PodStatus full) {
    if (full == null) {
      return null;
    }
    PodStatus kept = new PodStatus();
    kept.setPhase(full.getPhase());
    kept.setPodIP(full.getPodIP());
    kept.setPodIPs(full.getPodIPs());
    if (full.getConditions() != null) {
      kept.setConditions(full.getConditions().stream().map(condition -> {
        PodCondition c = new PodCondition();
        c.setType(condition.getType());
        c.setStatus(condition.getStatus());
        c.setLastTransitionTime(condition.getLastTransitionTime());
        if (PodReadiness.GATE.equals(condition.getType())) {
          c.setReason(condition.getReason()); // the gate is written on a change of reason too
        }
        return c;
      }).toList());
    }
    return kept;
  }
}
