package dev.registrar.client;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * One service's instances, immutable, with a cumulative-weight table: a weighted pick is a binary
 * search, O(log n) in this service's instances, whatever else the registry holds. Subsets by
 * version or zone are built on first use and kept with the view.
 */
final class ServiceView {

  static final ServiceView EMPTY = new ServiceView(List.of());

  private final List<ServiceInstance> instances;
  // cumulative[i] = sum of the positive weights of instances 0..i
  private final long[] cumulative;
  private final Map<String, ServiceView> subsets = new ConcurrentHashMap<>();

  ServiceView(List<ServiceInstance> instances) {
    this.instances = List.copyOf(instances);
    this.cumulative = new long[this.instances.size()];
    long total = 0;
    for (int i = 0; i < cumulative.length; i++) {
      total += Math.max(0, this.instances.get(i).weight());
      cumulative[i] = total;
    }
  }

  List<ServiceInstance> instances() {
    return instances;
  }

  long totalWeight() {
    return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
  }

  /** Weighted random choice; weight 0 is never chosen; empty when no weight is positive. */
  Optional<ServiceInstance> pick(RandomGenerator random) {
    long total = totalWeight();
    if (total == 0) {
      return Optional.empty();
    }
    long point = random.nextLong(total);
    // The first entry whose cumulative weight exceeds the point.
    int low = 0;
    int high = cumulative.length - 1;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (cumulative[mid] > point) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return Optional.of(instances.get(low));
  }

  ServiceView withVersion(String version) {
    return subset("v:" + version, i -> Objects.equals(version, i.version()));
  }

  /** The instances in {@code zone}, or all of them when none there can be picked. */
  ServiceView preferringZone(String zone) {
    return preferringNear(new Locality(zone, null));
  }

  /** The nearest set of {@code near}'s failover order that can take calls, or all of them. */
  ServiceView preferringNear(Locality near) {
    List<Predicate<ServiceInstance>> tiers = near.tiers();
    for (int i = 0; i < tiers.size(); i++) {
      ServiceView set = subset(near.cacheKey() + "#" + i, tiers.get(i));
      if (set.totalWeight() > 0) {
        return set;
      }
    }
    return this;
  }

  private ServiceView subset(String name, Predicate<ServiceInstance> filter) {
    return subsets.computeIfAbsent(name, k -> new ServiceView(instances.stream().filter(filter).toList()));
  }
}
