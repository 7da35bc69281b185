package dev.registrar.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.client.EndpointValue;
import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceInstance;
import io.grpc.EquivalentAddressGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AddressesTest {

  static ServiceInstance instance(String ip, int weight, String version, String zone) {
    return new ServiceInstance(RegistryPrefix.DEFAULT.key("shop", ip, 8080),
        new EndpointValue(version, weight, ip, 8080, "grpc", null, null, null, zone, Map.of("team", "t"), null), 7);
  }

  static final ServiceInstance V1_A = instance("10.0.0.1", 100, "1", "a");
  static final ServiceInstance V2_A = instance("10.0.0.2", 300, "2", "a");
  static final ServiceInstance V2_B = instance("10.0.0.3", 0, "2", "b");
  static final ServiceInstance V2_B6 = instance("fd00::4", 50, "2", "b");

  static List<String> hosts(List<EquivalentAddressGroup> groups) {
    return groups.stream().map(g -> ((InetSocketAddress) g.getAddresses().get(0)).getAddress().getHostAddress())
        .toList();
  }

  @Test
  void everyInstanceCarriesItsWeightVersionZoneAndMetadata() {
    List<EquivalentAddressGroup> groups = Addresses.of(List.of(V1_A, V2_B6), new RegistrarTarget("shop", null, null));
    assertThat(hosts(groups)).containsExactly("10.0.0.1", "fd00:0:0:0:0:0:0:4");
    EquivalentAddressGroup first = groups.get(0);
    assertThat(first.getAttributes().get(RegistrarGrpc.WEIGHT)).isEqualTo(100);
    assertThat(first.getAttributes().get(RegistrarGrpc.VERSION)).isEqualTo("1");
    assertThat(first.getAttributes().get(RegistrarGrpc.ZONE)).isEqualTo("a");
    assertThat(first.getAttributes().get(RegistrarGrpc.METADATA)).containsEntry("team", "t");
    assertThat(first.getAttributes().get(RegistrarGrpc.INSTANCE)).isEqualTo(V1_A);
    assertThat(RegistrarGrpc.weightOf(new EquivalentAddressGroup(new InetSocketAddress(1)))).isEqualTo(100);
  }

  @Test
  void versionFiltersAndZonePrefersWhileItHasACallableInstance() {
    List<ServiceInstance> all = List.of(V1_A, V2_A, V2_B, V2_B6);
    assertThat(hosts(Addresses.of(all, new RegistrarTarget("shop", "2", null))))
        .containsExactly("10.0.0.2", "10.0.0.3", "fd00:0:0:0:0:0:0:4");
    assertThat(hosts(Addresses.of(all, new RegistrarTarget("shop", null, "b"))))
        .containsExactly("10.0.0.3", "fd00:0:0:0:0:0:0:4");
    // Zone b has only a drained instance for version 1... none at all: every zone.
    assertThat(hosts(Addresses.of(List.of(V1_A, V2_B), new RegistrarTarget("shop", null, "b"))))
        .containsExactly("10.0.0.1", "10.0.0.3");
    assertThat(Addresses.of(all, new RegistrarTarget("shop", "9", null))).isEmpty();
  }

  static ServiceInstance inCluster(String ip, int weight, String zone, String cluster) {
    return new ServiceInstance(RegistryPrefix.DEFAULT.key("shop", ip, 8080),
        new EndpointValue(null, weight, ip, 8080, "grpc", null, "shop", null, zone, Map.of(),
            new EndpointValue.Owner(cluster, "shop", "shop", "u-" + cluster)), 7);
  }

  @Test
  void aClusterInTheTargetKeepsCallsInItUntilItCannotTakeThem() {
    ServiceInstance euA = inCluster("10.1.0.1", 100, "a", "eu");
    ServiceInstance euB = inCluster("10.1.0.2", 100, "b", "eu");
    ServiceInstance usA = inCluster("10.2.0.1", 100, "a", "us");
    RegistrarTarget near = new RegistrarTarget("shop", null, "a", "eu");
    assertThat(hosts(Addresses.of(List.of(euA, euB, usA), near))).containsExactly("10.1.0.1");
    assertThat(hosts(Addresses.of(List.of(inCluster("10.1.0.1", 0, "a", "eu"), euB, usA), near)))
        .as("the zone drained: the cluster (its drained instance too, which the balancer never picks)")
        .containsExactly("10.1.0.1", "10.1.0.2");
    assertThat(hosts(Addresses.of(List.of(usA), near))).as("the cluster gone: any").containsExactly("10.2.0.1");
    assertThat(Addresses.group(usA).getAttributes().get(RegistrarGrpc.CLUSTER)).isEqualTo("us");
    assertThat(Addresses.group(V1_A).getAttributes().get(RegistrarGrpc.CLUSTER)).isNull();
  }
}
