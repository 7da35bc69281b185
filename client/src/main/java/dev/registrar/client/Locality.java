package dev.registrar.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Where a caller runs, to prefer the instances nearest to it when a service spans zones and
 * clusters. The failover order: the caller's zone (in its cluster, when both are given), then its
 * cluster, then any instance. A nearer set is used only while one of its instances can take calls
 * (weight above 0): a set that drains (weight 0) or empties falls through to the next.
 *
 * @param zone the caller's zone (an instance's {@link ServiceInstance#zone()}), or null
 * @param cluster the caller's cluster (an instance's {@link ServiceInstance#cluster()}), or null
 */
public record Locality(String zone, String cluster) {

  /** No preference: every instance alike. */
  public static final Locality ANYWHERE = new Locality(null, null);

  public static Locality of(String zone, String cluster) {
    return new Locality(blankToNull(zone), blankToNull(cluster));
  }

  /** The sets to try, nearest first, each as a filter; "any instance" is left to the caller. */
  List<Predicate<ServiceInstance>> tiers() {
    List<Predicate<ServiceInstance>> tiers = new ArrayList<>();
    Predicate<ServiceInstance> inCluster = i -> Objects.equals(cluster, i.cluster());
    if (zone != null) {
      Predicate<ServiceInstance> inZone = i -> Objects.equals(zone, i.zone());
      tiers.add(cluster == null ? inZone : inZone.and(inCluster));
    }
    if (cluster != null) {
      tiers.add(inCluster);
    }
    return tiers;
  }

  /** A name for the tiers, to cache the subsets of a view by. */
  String cacheKey() {
    return "near:" + zone + "|" + cluster;
  }

  /** The nearest instances that can take calls, in the order given; all of them when no set can. */
  public List<ServiceInstance> nearest(List<ServiceInstance> instances) {
    for (Predicate<ServiceInstance> tier : tiers()) {
      List<ServiceInstance> near = instances.stream().filter(tier).toList();
      if (near.stream().anyMatch(i -> i.weight() > 0)) {
        return near;
      }
    }
    return instances;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
