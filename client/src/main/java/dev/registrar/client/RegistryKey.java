package dev.registrar.client;

import java.util.Objects;

/**
 * One endpoint's key, {@code {prefix}/{serviceName}/{host}:{port}}; an IPv6 host is written in
 * brackets ({@code /services/orders/[fd00::1]:8080}). A key read from etcd may have any service
 * segment without {@code /} ({@link ServiceNames#isReadable}); keys to write come from
 * {@link RegistryPrefix#key}, which takes DNS-1123 labels only.
 */
public record RegistryKey(RegistryPrefix prefix, String serviceName, String host, int port) {

  public RegistryKey {
    Objects.requireNonNull(prefix, "prefix");
    ServiceNames.requireReadable(serviceName);
    HostPort.requireValid(host, port);
  }

  /** The key as stored in etcd. */
  public String asString() {
    return prefix.root() + serviceName + "/" + HostPort.format(host, port);
  }

  /** {@code host:port}, with an IPv6 host in brackets. */
  public String endpoint() {
    return HostPort.format(host, port);
  }

  @Override
  public String toString() {
    return asString();
  }
}
