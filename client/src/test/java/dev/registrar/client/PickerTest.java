package dev.registrar.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PickerTest {

  static ServiceInstance instance(String host, int weight, String version) {
    return new ServiceInstance(RegistryPrefix.DEFAULT.key("orders", host, 80),
        new EndpointValue(version, weight, host, 80, null, null, null, null, null, null), 1);
  }

  @Test
  void choosesInProportionToWeightAndNeverWeightZero() {
    List<ServiceInstance> instances = List.of(instance("a", 100, "1"), instance("b", 300, "1"), instance("c", 0, "1"));
    Map<String, Integer> counts = new HashMap<>();
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 40_000; i++) {
      counts.merge(Picker.weighted(instances, random).orElseThrow().host(), 1, Integer::sum);
    }
    assertThat(counts).doesNotContainKey("c");
    assertThat(counts.get("b") / (double) counts.get("a")).isBetween(2.8, 3.2);
  }

  @Test
  void nothingToPickWhenEveryWeightIsZeroOrTheListIsEmpty() {
    assertThat(Picker.weighted(List.of(instance("a", 0, "1")), new SplittableRandom(1))).isEmpty();
    assertThat(Picker.weighted(List.of(), new SplittableRandom(1))).isEmpty();
  }

  @Test
  void filtersByVersion() {
    List<ServiceInstance> instances = List.of(instance("a", 1, "1.0"), instance("b", 1, "2.0"), instance("c", 1, null));
    assertThat(Picker.withVersion(instances, "2.0")).extracting(ServiceInstance::host).containsExactly("b");
    assertThat(Picker.withVersion(instances, null)).extracting(ServiceInstance::host).containsExactly("c");
  }
}
