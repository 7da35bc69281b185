package dev.registrar.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ServiceViewTest {

  static ServiceInstance instance(String host, int weight, String version, String zone) {
    return new ServiceInstance(RegistryPrefix.DEFAULT.key("orders", host, 80),
        new EndpointValue(version, weight, host, 80, null, null, null, null, zone, null, null), 1);
  }

  static Map<String, Integer> counts(ServiceView view, int picks) {
    Map<String, Integer> counts = new HashMap<>();
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < picks; i++) {
      counts.merge(view.pick(random).orElseThrow().host(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void theCumulativeTableFollowsTheWeightsAndNeverPicksWeightZero() {
    ServiceView view = new ServiceView(List.of(instance("a", 100, null, null), instance("b", 0, null, null),
        instance("c", 300, null, null), instance("d", 600, null, null)));
    Map<String, Integer> counts = counts(view, 100_000);
    assertThat(counts).doesNotContainKey("b");
    // chi-square with 2 degrees of freedom; 13.8 is the 0.1 % critical value
    double chi = 0;
    for (var expected : Map.of("a", 10_000.0, "c", 30_000.0, "d", 60_000.0).entrySet()) {
      double diff = counts.get(expected.getKey()) - expected.getValue();
      chi += diff * diff / expected.getValue();
    }
    assertThat(chi).isLessThan(13.8);
  }

  @Test
  void nothingToPickWhenNoWeightIsPositive() {
    assertThat(new ServiceView(List.of(instance("a", 0, null, null))).pick(new SplittableRandom(1))).isEmpty();
    assertThat(ServiceView.EMPTY.pick(new SplittableRandom(1))).isEmpty();
  }

  @Test
  void theCallersZoneIsPreferredAndAllInstancesAreTheFallback() {
    ServiceInstance inA = instance("a1", 100, "1", "eu-1a");
    ServiceInstance drainedInB = instance("b1", 0, "1", "eu-1b");
    ServiceInstance byMetadata = new ServiceInstance(RegistryPrefix.DEFAULT.key("orders", "c1", 80),
        new EndpointValue("2", 100, "c1", 80, null, null, null, null, Map.of("zone", "eu-1c"), null), 1);
    ServiceView view = new ServiceView(List.of(inA, drainedInB, byMetadata));
    assertThat(counts(view.preferringZone("eu-1a"), 1000)).containsOnlyKeys("a1");
    assertThat(counts(view.preferringZone("eu-1c"), 1000)).containsOnlyKeys("c1");
    // Nobody pickable there (drained, or no such zone): every instance.
    assertThat(counts(view.preferringZone("eu-1b"), 1000)).containsOnlyKeys("a1", "c1");
    assertThat(counts(view.preferringZone("us-1a"), 1000)).containsOnlyKeys("a1", "c1");
    assertThat(counts(view.withVersion("2"), 1000)).containsOnlyKeys("c1");
    assertThat(view.withVersion("3").pick(new SplittableRandom(1))).isEmpty();
  }

  static ServiceInstance in(String host, int weight, String zone, String cluster) {
    return new ServiceInstance(RegistryPrefix.DEFAULT.key("orders", host, 80),
        new EndpointValue(null, weight, host, 80, null, null, "shop", null, zone, null,
            new EndpointValue.Owner(cluster, "shop", "orders", "uid-" + cluster)), 1);
  }

  @Test
  void nearMeansTheZoneInTheCallersClusterThenTheClusterThenAnyAndFallsThroughWhenASetDrains() {
    // Two clusters with instances in two zones each; eu-1a exists in both.
    List<ServiceInstance> all = new java.util.ArrayList<>(List.of(in("eu-a", 100, "z-a", "eu"), in("eu-b", 100, "z-b", "eu"),
        in("us-a", 100, "z-a", "us"), in("us-c", 100, "z-c", "us")));
    Locality caller = Locality.of("z-a", "eu");
    assertThat(counts(new ServiceView(all).preferringNear(caller), 1000)).containsOnlyKeys("eu-a");
    // The local zone drains (weight 0): the rest of the local cluster, not the other cluster's z-a.
    all.set(0, in("eu-a", 0, "z-a", "eu"));
    assertThat(counts(new ServiceView(all).preferringNear(caller), 1000)).containsOnlyKeys("eu-b");
    // The local cluster disappears: any instance.
    List<ServiceInstance> usOnly = List.of(all.get(2), all.get(3));
    assertThat(counts(new ServiceView(usOnly).preferringNear(caller), 1000)).containsOnlyKeys("us-a", "us-c");
    // A zone alone prefers it in any cluster; a cluster alone, that cluster; nothing, everything.
    ServiceView view = new ServiceView(List.of(in("eu-a", 100, "z-a", "eu"), in("us-a", 100, "z-a", "us"),
        in("us-c", 100, "z-c", "us")));
    assertThat(counts(view.preferringNear(Locality.of("z-a", null)), 1000)).containsOnlyKeys("eu-a", "us-a");
    assertThat(counts(view.preferringNear(Locality.of(null, "us")), 1000)).containsOnlyKeys("us-a", "us-c");
    assertThat(counts(view.preferringNear(Locality.ANYWHERE), 1000)).containsOnlyKeys("eu-a", "us-a", "us-c");
    assertThat(Locality.of("z-a", "eu").nearest(List.of(in("us-a", 100, "z-a", "us"), in("eu-b", 100, "z-b", "eu"))))
        .extracting(ServiceInstance::host).containsExactly("eu-b");
    assertThat(Locality.of(" ", "")).isEqualTo(Locality.ANYWHERE);
  }

  @Test
  void anInstanceSaysItsClusterFromTheOperatorsOwnerElseFromItsMetadata() {
    assertThat(in("a", 100, null, "eu").cluster()).isEqualTo("eu");
    ServiceInstance selfRegistered = new ServiceInstance(RegistryPrefix.DEFAULT.key("orders", "b", 80),
        new EndpointValue(null, 100, "b", 80, null, null, null, null, null, Map.of("cluster", "blue"),
            new EndpointValue.Owner("spring-boot", null, "orders", "x")), 1);
    assertThat(selfRegistered.cluster()).isEqualTo("blue");
    assertThat(instance("c", 100, null, null).cluster()).isNull();
  }
}
