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

  /**
   * fabric8 gives every model object a map of additional properties and every list field an empty
   * ArrayList of its own: in a pruned Pod those were more than a third of its bytes (at 100,000
   * Pods, 1.3 million maps and 2.7 million lists). The cache shares one immutable empty map and
   * drops the lists nothing reads (null); the lists the operator reads stay lists.
   */
  private static final Map<String, Object> NO_PROPERTIES = Map.of();

  public static Pod prune(Pod pod) {
    Pod pruned = new Pod();
    pruned.setAdditionalProperties(NO_PROPERTIES);
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
    kept.setAdditionalProperties(NO_PROPERTIES);
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
    kept.setAdditionalProperties(NO_PROPERTIES);
    kept.setEphemeralContainers(null);
    kept.setHostAliases(null);
    kept.setImagePullSecrets(null);
    kept.setInitContainers(null);
    kept.setNodeSelector(null);
    kept.setOverhead(null);
    kept.setResourceClaims(null);
    kept.setSchedulingGates(null);
    kept.setTolerations(null);
    kept.setTopologySpreadConstraints(null);
    kept.setVolumes(null);
    kept.setNodeName(full.getNodeName());
    kept.setReadinessGates(full.getReadinessGates());
    if (full.getContainers() != null) {
      kept.setContainers(full.getContainers().stream().map(PodPruning::container).toList());
    }
    return kept;
  }

  private static Container container(Container full) {
    Container kept = new Container();
    kept.setAdditionalProperties(NO_PROPERTIES);
    kept.setArgs(null);
    kept.setCommand(null);
    kept.setEnv(null);
    kept.setEnvFrom(null);
    kept.setResizePolicy(null);
    kept.setRestartPolicyRules(null);
    kept.setVolumeDevices(null);
    kept.setVolumeMounts(null);
    kept.setName(full.getName());
    if (full.getPorts() != null) {
      kept.setPorts(full.getPorts().stream().map(port -> {
        ContainerPort p = new ContainerPort();
        p.setAdditionalProperties(NO_PROPERTIES);
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
    kept.setAdditionalProperties(NO_PROPERTIES);
    kept.setContainerStatuses(null);
    kept.setEphemeralContainerStatuses(null);
    kept.setHostIPs(null);
    kept.setInitContainerStatuses(null);
    kept.setResourceClaimStatuses(null);
    kept.setPhase(full.getPhase());
    kept.setPodIP(full.getPodIP());
    kept.setPodIPs(full.getPodIPs());
    if (full.getConditions() != null) {
      kept.setConditions(full.getConditions().stream().map(condition -> {
        PodCondition c = new PodCondition();
        c.setAdditionalProperties(NO_PROPERTIES);
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
