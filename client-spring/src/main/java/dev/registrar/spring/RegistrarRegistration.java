package dev.registrar.spring;

import dev.registrar.client.EndpointValue;
import java.net.URI;
import java.util.Map;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * This application's own registration: its service name and the value its key will hold. The port
 * is known only once the web server has started, so it is set then.
 */
public final class RegistrarRegistration implements Registration {

  private final String serviceName;
  private final String host;
  private final RegistrarProperties.Registration settings;
  private volatile int port;

  RegistrarRegistration(String serviceName, String host, RegistrarProperties.Registration settings) {
    this.serviceName = serviceName;
    this.host = host;
    this.settings = settings;
    this.port = settings.getPort() == null ? 0 : settings.getPort();
  }

  void setPort(int port) {
    this.port = port;
  }

  /** The value written to {@code /services/{service}/{host}:{port}}. */
  public EndpointValue value() {
    return new EndpointValue(settings.getVersion(), settings.getWeight(), host, port, "http", null, null, null,
        settings.getZone(), settings.getMetadata(), new EndpointValue.Owner("spring-boot", null, serviceName,
            host + ":" + port));
  }

  @Override
  public String getInstanceId() {
    return host + ":" + port;
  }

  @Override
  public String getServiceId() {
    return serviceName;
  }

  @Override
  public String getHost() {
    return host;
  }

  @Override
  public int getPort() {
    return port;
  }

  @Override
  public boolean isSecure() {
    return false;
  }

  @Override
  public URI getUri() {
    return ServiceInstance.createUri(this);
  }

  @Override
  public Map<String, String> getMetadata() {
    return RegistrarServiceInstance.metadata(settings.getMetadata(), settings.getWeight(), settings.getVersion(),
        settings.getZone());
  }

  @Override
  public String toString() {
    return serviceName + " " + getInstanceId();
  }
}
