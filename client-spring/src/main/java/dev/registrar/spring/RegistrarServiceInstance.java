package dev.registrar.spring;

import dev.registrar.client.ServiceInstance;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A registry instance as Spring Cloud sees it. Its metadata is the registry's metadata plus
 * {@code weight}, {@code version} and {@code zone}, the keys Spring Cloud LoadBalancer's weighted
 * and zone-preference suppliers read.
 */
public final class RegistrarServiceInstance implements org.springframework.cloud.client.ServiceInstance {

  private final ServiceInstance instance;
  private final Map<String, String> metadata;

  public RegistrarServiceInstance(ServiceInstance instance) {
    this.instance = instance;
    this.metadata = metadata(instance.metadata(), instance.weight(), instance.version(), instance.zone());
  }

  /**
   * The metadata Spring Cloud sees: the registry's, plus {@code weight}, {@code version} and
   * {@code zone} (the last two only when set). Registrations show the same.
   */
  static Map<String, String> metadata(Map<String, String> registry, int weight, String version, String zone) {
    Map<String, String> merged = new LinkedHashMap<>(registry);
    merged.put("weight", Integer.toString(weight));
    if (version != null) {
      merged.put("version", version);
    }
    if (zone != null) {
      merged.put("zone", zone);
    }
    return Collections.unmodifiableMap(merged);
  }

  /** The registry's own view of this instance. */
  public ServiceInstance registryInstance() {
    return instance;
  }

  /** {@code host:port}: unique within the service. */
  @Override
  public String getInstanceId() {
    return instance.endpoint();
  }

  @Override
  public String getServiceId() {
    return instance.serviceName();
  }

  @Override
  public String getHost() {
    return instance.host();
  }

  @Override
  public int getPort() {
    return instance.port();
  }

  /** True when the port's name in the registry is {@code https}. */
  @Override
  public boolean isSecure() {
    return "https".equals(instance.value().portName());
  }

  @Override
  public URI getUri() {
    return org.springframework.cloud.client.ServiceInstance.createUri(this);
  }

  @Override
  public Map<String, String> getMetadata() {
    return metadata;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RegistrarServiceInstance that && instance.equals(that.instance);
  }

  @Override
  public int hashCode() {
    return instance.hashCode();
  }

  @Override
  public String toString() {
    return "RegistrarServiceInstance{" + instance.serviceName() + " " + instance.endpoint() + " " + metadata + "}";
  }
}
