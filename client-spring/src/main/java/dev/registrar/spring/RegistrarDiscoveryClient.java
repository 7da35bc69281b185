package dev.registrar.spring;

import dev.registrar.client.Locality;
import dev.registrar.client.ServiceDiscovery;
import java.time.Duration;
import java.util.List;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * Spring Cloud's DiscoveryClient on a watch of the whole registry: every answer comes from memory,
 * kept current by etcd's watch, and from the last known list while etcd cannot be reached.
 * Instances with weight 0 are left out: they are draining, and Spring Cloud LoadBalancer would
 * otherwise give them a weight of 1.
 */
public final class RegistrarDiscoveryClient implements DiscoveryClient {

  /** How long a call made right at startup waits for the first read of the registry. */
  static final Duration FIRST_READ_WAIT = Duration.ofSeconds(5);

  private final ServiceDiscovery discovery;
  private final Locality near;

  public RegistrarDiscoveryClient(ServiceDiscovery discovery) {
    this(discovery, Locality.ANYWHERE);
  }

  /** @param near where this application runs: answers are the nearest instances (spring.cloud.registrar.discovery.near) */
  public RegistrarDiscoveryClient(ServiceDiscovery discovery, Locality near) {
    this.discovery = discovery;
    this.near = near;
  }

  @Override
  public String description() {
    return "Registrar (etcd) discovery client";
  }

  @Override
  public List<ServiceInstance> getInstances(String serviceId) {
    awaitFirstRead(discovery);
    return instances(discovery, serviceId, near);
  }

  @Override
  public List<String> getServices() {
    awaitFirstRead(discovery);
    return discovery.services();
  }

  /** Fails when etcd has not been read yet, so that an outage is not mistaken for "no services". */
  @Override
  public void probe() {
    if (discovery.lastSync().isEmpty()) {
      throw new IllegalStateException("the registry has not been read yet: etcd did not answer");
    }
  }

  /** The service's instances that can take calls, the nearest set of {@code near} first (all when unset). */
  static List<ServiceInstance> instances(ServiceDiscovery discovery, String serviceId, Locality near) {
    return near.nearest(discovery.instances(serviceId)).stream().filter(instance -> instance.weight() > 0)
        .<ServiceInstance>map(RegistrarServiceInstance::new).toList();
  }

  static void awaitFirstRead(ServiceDiscovery discovery) {
    try {
      discovery.awaitInitialSync(FIRST_READ_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
