package dev.registrar.operator.reconciler;

import dev.registrar.operator.customresource.ServiceRegistration;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An index of the Pod cache by label, so that a reconcile starts from the Pods carrying one of
 * its selector's {@code matchLabels} (the smallest such set) instead of every Pod in the
 * namespace. The full selector is still applied by {@code DesiredStateCalculator}.
 */
final class PodsByLabel {

  static final String INDEX = "label";

  private PodsByLabel() {}

  /** The index keys of a Pod: namespace/key=value for each of its labels. */
  static List<String> keys(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels == null || labels.isEmpty()) {
      return List.of();
    }
    String namespace = pod.getMetadata().getNamespace();
    return labels.entrySet().stream().map(e -> key(namespace, e.getKey(), e.getValue())).toList();
  }

  static String key(String namespace, String label, String value) {
    return namespace + "/" + label + "=" + value;
  }

  /** The Pods the registration may select: all of its namespace when it has no matchLabels. */
  static List<Pod> candidates(ServiceRegistration registration, InformerEventSource<Pod, ServiceRegistration> pods) {
    String namespace = registration.getMetadata().getNamespace();
    LabelSelector selector = registration.getSpec() == null ? null : registration.getSpec().getSelector();
    Map<String, String> matchLabels = selector == null || selector.getMatchLabels() == null
        ? Map.of() : new TreeMap<>(selector.getMatchLabels());
    List<Pod> smallest = null;
    for (Map.Entry<String, String> label : matchLabels.entrySet()) {
      List<Pod> carrying = pods.byIndex(INDEX, key(namespace, label.getKey(), label.getValue()));
      if (smallest == null || carrying.size() < smallest.size()) {
        smallest = carrying;
      }
    }
    return smallest != null ? smallest : pods.list(namespace, pod -> true).toList();
  }
}
