package dev.registrar.operator.reconciler;

import dev.registrar.operator.model.PodPruning;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The Pod informer's store: it keeps each Pod pruned to what the operator reads
 * ({@link PodPruning}). Event handlers still get the Pod as the API sent it; only what stays in
 * memory between events is small.
 */
final class PrunedPodStore extends BasicItemStore<Pod> {

  PrunedPodStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public Pod put(String key, Pod pod) {
    return super.put(key, PodPruning.prune(pod));
  }
}
