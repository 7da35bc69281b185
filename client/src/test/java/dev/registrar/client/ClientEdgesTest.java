package dev.registrar.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The client's pure code at its edges: the last accepted and the first refused of each rule. */
class ClientEdgesTest {

  static final RegistryKey ORDERS = RegistryPrefix.DEFAULT.key("orders", "10.0.0.67", 8080);

  static EndpointValue decode(String json) {
    return EndpointCodec.decode(json.getBytes(UTF_8));
  }

  @Test
  void portsFromOneTo65535AndWeightZeroDecode() {
    assertThat(decode("{\"address\":\"10.0.0.1\",\"port\":1}").port()).isEqualTo(1);
    assertThat(decode("{\"address\":\"10.0.0.1\",\"port\":65535}").port()).isEqualTo(65535);
    assertThatThrownBy(() -> decode("{\"address\":\"10.0.0.1\",\"port\":0}"))
        .hasMessage("endpoint value has port 0, outside 1-65535");
    assertThatThrownBy(() -> decode("{\"address\":\"10.0.0.1\",\"port\":65536}"))
        .hasMessage("endpoint value has port 65536, outside 1-65535");
    assertThat(decode("{\"address\":\"10.0.0.1\",\"port\":80,\"weight\":0}").weight()).isZero();
    assertThat(EndpointCodec.decode("{\"weight\":0}".getBytes(UTF_8), ORDERS).weight()).isZero();
  }

  @Test
  void aValueOfExactly8KiBIsWrittenAndOneByteMoreIsRefusedWithItsSize() {
    EndpointValue small = new EndpointValue(null, 100, "10.0.0.1", 80, null, null, null, null, Map.of("pad", ""), null);
    int base = EndpointCodec.encode(small).length;
    EndpointValue exact = new EndpointValue(null, 100, "10.0.0.1", 80, null, null, null, null,
        Map.of("pad", "x".repeat(EndpointCodec.MAX_VALUE_BYTES - base)), null);
    assertThat(EndpointCodec.encode(exact)).hasSize(EndpointCodec.MAX_VALUE_BYTES);
    EndpointValue over = new EndpointValue(null, 100, "10.0.0.1", 80, null, null, null, null,
        Map.of("pad", "x".repeat(EndpointCodec.MAX_VALUE_BYTES - base + 1)), null);
    assertThatThrownBy(() -> EndpointCodec.encode(over)).isInstanceOfSatisfying(EndpointCodec.ValueTooLargeException.class,
        e -> assertThat(e.size()).isEqualTo(EndpointCodec.MAX_VALUE_BYTES + 1));
  }

  @Test
  void anIpv6HostStartingWithAColonParses() {
    assertThat(RegistryPrefix.DEFAULT.parse("/services/orders/[::1]:8080")).hasValueSatisfying(key -> {
      assertThat(key.host()).isEqualTo("::1");
      assertThat(key.port()).isEqualTo(8080);
    });
    assertThat(RegistryPrefix.DEFAULT.parse("/services/orders/:8080")).as("no host").isEmpty();
  }

  @Test
  void eachPrefixProblemIsNamed() {
    assertThat(RegistryPrefix.problemWith(null)).isEqualTo("must not be empty");
    assertThat(RegistryPrefix.problemWith("")).isEqualTo("must not be empty");
    assertThat(RegistryPrefix.problemWith("services")).isEqualTo("must start with '/'");
    assertThat(RegistryPrefix.problemWith("/services/")).isEqualTo("must not end with '/'");
    assertThat(RegistryPrefix.problemWith("/services/.hidden")).isEqualTo(
        "segment '.hidden' must be letters, digits, '.', '_' or '-' and must not start with '.' or '-'");
    assertThat(RegistryPrefix.problemWith("/teams/a/services")).isNull();
    assertThat(new RegistryPrefix("/teams/a")).hasToString("/teams/a");
  }

  @Test
  void aServiceSegmentWithASlashIsNeitherReadNorKeyed() {
    assertThat(ServiceNames.isReadable("a/b")).isFalse();
    assertThat(ServiceNames.isReadable("/a")).isFalse();
    assertThat(ServiceNames.isReadable("a/")).isFalse();
    assertThat(ServiceNames.isReadable("orders.rpc")).isTrue();
    assertThatThrownBy(() -> RegistryPrefix.DEFAULT.servicePath("a/b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RegistryKey(RegistryPrefix.DEFAULT, "a/b", "10.0.0.1", 80))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ORDERS).hasToString("/services/orders/10.0.0.67:8080");
  }

  /** A RandomGenerator that draws the given points in turn. */
  static RandomGenerator drawing(long... points) {
    return new RandomGenerator() {
      int next;

      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public long nextLong(long bound) {
        return points[next++];
      }
    };
  }

  @Test
  void aPointOnACumulativeEdgeBelongsToTheNextInstance() {
    ServiceInstance a = ServiceViewTest.instance("a", 1, null, null);
    ServiceInstance b = ServiceViewTest.instance("b", 1, null, null);
    ServiceInstance c = ServiceViewTest.instance("c", 2, null, null);
    ServiceView view = new ServiceView(List.of(a, b, c));
    assertThat(view.instances()).containsExactly(a, b, c);
    // cumulative 1, 2, 4: point 0 is a's, 1 is b's, 2 and 3 are c's.
    RandomGenerator points = drawing(0, 1, 2, 3);
    assertThat(List.of(view.pick(points), view.pick(points), view.pick(points), view.pick(points)))
        .extracting(p -> p.orElseThrow().host()).containsExactly("a", "b", "c", "c");
  }
}
