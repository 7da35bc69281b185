package dev.registrar.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceCacheTest {

  static ServiceInstance instance(String host, int weight, long revision) {
    return new ServiceInstance(RegistryPrefix.DEFAULT.key("orders", host, 80),
        new EndpointValue(null, weight, host, 80, null, null, null, null, null, null), revision);
  }

  static String key(String host) {
    return RegistryPrefix.DEFAULT.key("orders", host, 80).asString();
  }

  @Test
  void aStaleEventIsIgnored() {
    InstanceCache cache = new InstanceCache();
    assertThat(cache.apply(key("10.0.0.1"), instance("10.0.0.1", 100, 10), 10)).hasSize(1);
    // Delivered late: an older write, and an older delete.
    assertThat(cache.apply(key("10.0.0.1"), instance("10.0.0.1", 5, 9), 9)).isEmpty();
    assertThat(cache.apply(key("10.0.0.1"), null, 8)).isEmpty();
    assertThat(cache.apply(key("10.0.0.1"), instance("10.0.0.1", 5, 10), 10)).isEmpty();
    assertThat(cache.instances("orders")).singleElement().satisfies(i -> assertThat(i.weight()).isEqualTo(100));
  }

  @Test
  void newerWritesChangeAndRemoveAndEqualRewritesAreSilent() {
    InstanceCache cache = new InstanceCache();
    cache.apply(key("10.0.0.1"), instance("10.0.0.1", 100, 10), 10);
    assertThat(cache.apply(key("10.0.0.1"), instance("10.0.0.1", 100, 11), 11)).isEmpty();
    assertThat(cache.apply(key("10.0.0.1"), instance("10.0.0.1", 50, 12), 12))
        .singleElement().satisfies(c -> {
          assertThat(c.before().weight()).isEqualTo(100);
          assertThat(c.after().weight()).isEqualTo(50);
        });
    assertThat(cache.apply(key("10.0.0.1"), null, 13)).singleElement()
        .satisfies(c -> assertThat(c.after()).isNull());
    assertThat(cache.apply(key("10.0.0.2"), null, 14)).isEmpty();
    assertThat(cache.all()).isEmpty();
  }

  @Test
  void aFullReadReportsOnlyRealDifferences() {
    InstanceCache cache = new InstanceCache();
    cache.replaceAll(List.of(instance("10.0.0.1", 100, 1), instance("10.0.0.2", 100, 2), instance("10.0.0.3", 100, 3)));
    List<InstanceCache.Change> changes = cache.replaceAll(List.of(
        instance("10.0.0.1", 100, 1),      // unchanged
        instance("10.0.0.2", 100, 20),     // rewritten, same value
        instance("10.0.0.3", 7, 21),       // changed
        instance("10.0.0.4", 100, 22)));   // added
    assertThat(changes).extracting(c -> c.before() == null ? "+" + c.after().host()
        : c.after() == null ? "-" + c.before().host() : "~" + c.after().host())
        .containsExactly("~10.0.0.3", "+10.0.0.4");
    assertThat(cache.replaceAll(List.of())).hasSize(4).allMatch(c -> c.after() == null);
  }
}
