package dev.registrar.operator.reconciler;

import dev.registrar.operator.customresource.ServiceRegistration;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An index of the registrations by one label of their selector, so that a Pod event finds the
 * registrations that may select it from its own labels instead of trying every selector of its
 * namespace (with 100 registrations, each Pod event matched 100 selectors: the largest share of
 * the operator's CPU under churn, see docs/benchmarks.md). A Pod matches a selector only if it
 * carries every matchLabels entry, so one entry is enough to find it; a selector without
 * matchLabels is filed under its namespace's wildcard and tried for every Pod there. The full
 * selector is still applied by the caller.
 */
final class RegistrationsBySelector {

  static final String INDEX = "selector-label";
  static final String ANY = "*";

  private RegistrationsBySelector() {}

  /** The one index key of a registration: the smallest of its matchLabels entries, or the wildcard. */
  static List<String> keys(ServiceRegistration registration) {
    String namespace = registration.getMetadata().getNamespace();
    LabelSelector selector = registration.getSpec() == null ? null : registration.getSpec().getSelector();
    Map<String, String> matchLabels = selector == null || selector.getMatchLabels() == null ? Map.of()
        : selector.getMatchLabels();
    if (matchLabels.isEmpty()) {
      return List.of(wildcard(namespace));
    }
    var first = new TreeMap<>(matchLabels).firstEntry();
    return List.of(PodsByLabel.key(namespace, first.getKey(), first.getValue()));
  }

  /** The index keys a Pod is looked up by: each of its labels, and its namespace's wildcard. */
  static List<String> lookups(Pod pod) {
    List<String> keys = new ArrayList<>(PodsByLabel.keys(pod));
    keys.add(wildcard(pod.getMetadata().getNamespace()));
    return keys;
  }

  /** The registrations that may select the Pod, each once; the caller applies the selector. */
  static Stream<ServiceRegistration> candidates(Pod pod, IndexerResourceCache<ServiceRegistration> registrations) {
    return lookups(pod).stream().flatMap(key -> registrations.byIndex(INDEX, key).stream()).distinct();
  }

  private static String wildcard(String namespace) {
    return namespace + "/" + ANY;
  }
}
