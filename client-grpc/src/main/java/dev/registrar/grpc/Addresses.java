package dev.registrar.grpc;

import dev.registrar.client.ServiceInstance;
import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/** From the registry's instances to gRPC's address groups: pure, so it is tested without a channel. */
final class Addresses {

  private Addresses() {}

  /**
   * The address groups for a target, one per instance, in key order: only the target's version;
   * with a zone or a cluster, the nearest set of {@link dev.registrar.client.Locality}'s failover
   * order (zone, then cluster, then all) that has an instance able to take calls (weight above 0).
   */
  static List<EquivalentAddressGroup> of(List<ServiceInstance> instances, RegistrarTarget target) {
    List<ServiceInstance> chosen = instances.stream()
        .filter(instance -> target.version() == null || target.version().equals(instance.version()))
        .toList();
    return target.near().nearest(chosen).stream().map(Addresses::group).toList();
  }

  static EquivalentAddressGroup group(ServiceInstance instance) {
    Attributes.Builder attributes = Attributes.newBuilder()
        .set(RegistrarGrpc.INSTANCE, instance)
        .set(RegistrarGrpc.WEIGHT, instance.weight())
        .set(RegistrarGrpc.METADATA, instance.metadata());
    if (instance.version() != null) {
      attributes.set(RegistrarGrpc.VERSION, instance.version());
    }
    if (instance.zone() != null) {
      attributes.set(RegistrarGrpc.ZONE, instance.zone());
    }
    if (instance.cluster() != null) {
      attributes.set(RegistrarGrpc.CLUSTER, instance.cluster());
    }
    // The host is an IP literal (what the operator writes), so this does not look anything up;
    // a host name registered by hand is resolved here, once per change.
    return new EquivalentAddressGroup(new InetSocketAddress(instance.host(), instance.port()), attributes.build());
  }

  /** The weight a group carries; 100 (the registry's default) when it carries none. */
  static int weightOf(EquivalentAddressGroup group) {
    return Objects.requireNonNullElse(group.getAttributes().get(RegistrarGrpc.WEIGHT), 100);
  }
}
