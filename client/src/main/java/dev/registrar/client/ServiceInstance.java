package dev.registrar.client;

import java.util.Map;

/**
 * One endpoint of a service, as the registry holds it.
 *
 * @param key its key
 * @param value its decoded value
 * @param modRevision the etcd revision of its last write: newer writes have higher revisions
 */
public record ServiceInstance(RegistryKey key, EndpointValue value, long modRevision) {

  public String serviceName() {
    return key.serviceName();
  }

  /** The address to connect to: the host of the key (an IPv6 address without brackets). */
  public String host() {
    return key.host();
  }

  public int port() {
    return key.port();
  }

  /** {@code host:port}, with an IPv6 host in brackets. */
  public String endpoint() {
    return key.endpoint();
  }

  public String version() {
    return value.version();
  }

  public int weight() {
    return value.weight();
  }

  public Map<String, String> metadata() {
    return value.metadata();
  }

  /**
   * The cluster the instance runs in: the cluster whose operator wrote it ({@code owner.cluster},
   * REGISTRAR_CLUSTER_NAME), else {@code metadata.cluster}; or null.
   */
  public String cluster() {
    if (value.owner() != null && value.owner().cluster() != null && value.owner().namespace() != null) {
      return value.owner().cluster();
    }
    return value.metadata().get("cluster");
  }

  /** The zone the instance runs in: the value's {@code zone}, else {@code metadata.zone}; or null. */
  public String zone() {
    return value.zone() != null ? value.zone() : value.metadata().get("zone");
  }
}
