package dev.registrar.spring;

import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceRegistrar;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;

/**
 * Spring Cloud's ServiceRegistry on {@link ServiceRegistrar}: each registration has its own lease,
 * kept alive, put back if someone deletes the key, and revoked on deregistration, which removes
 * the key at once. Statuses: {@code UP} (registered) and {@code DOWN} (deregistered, so consumers
 * stop calling); {@code OUT_OF_SERVICE} is taken as {@code DOWN}.
 */
public final class RegistrarServiceRegistry implements ServiceRegistry<RegistrarRegistration> {

  private static final Logger LOG = LoggerFactory.getLogger(RegistrarServiceRegistry.class);

  /** How long register() waits for etcd before it lets the registrar go on retrying on its own. */
  static final Duration REGISTER_WAIT = Duration.ofSeconds(5);

  private final Client client;
  private final RegistryPrefix prefix;
  private final Duration ttl;
  private final Map<String, ServiceRegistrar> registrars = new ConcurrentHashMap<>();

  public RegistrarServiceRegistry(Client client, RegistryPrefix prefix, Duration ttl) {
    this.client = client;
    this.prefix = prefix;
    this.ttl = ttl;
  }

  @Override
  public void register(RegistrarRegistration registration) {
    String id = id(registration);
    ServiceRegistrar registrar = registrars.computeIfAbsent(id, ignored -> new ServiceRegistrar(client, prefix, ttl));
    try {
      long lease = registrar.register(registration.getServiceId(), registration.value())
          .get(REGISTER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info("registered {} as {} (lease {})", registration, registrar.key(), Long.toHexString(lease));
    } catch (TimeoutException e) {
      LOG.warn("etcd did not confirm the registration of {} within {} s; it goes on retrying in the background",
          registration, REGISTER_WAIT.toSeconds());
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot register " + registration + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void deregister(RegistrarRegistration registration) {
    ServiceRegistrar registrar = registrars.remove(id(registration));
    if (registrar != null) {
      registrar.close(); // revokes our lease: the key is gone when this returns (if etcd answers)
      LOG.info("deregistered {}", registration);
    }
  }

  @Override
  public void close() {
    registrars.values().forEach(ServiceRegistrar::close);
    registrars.clear();
  }

  @Override
  public void setStatus(RegistrarRegistration registration, String status) {
    switch (status.toUpperCase(java.util.Locale.ROOT)) {
      case "UP" -> register(registration);
      case "DOWN", "OUT_OF_SERVICE" -> deregister(registration);
      default -> throw new IllegalArgumentException("unknown status '" + status + "': use UP or DOWN");
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T getStatus(RegistrarRegistration registration) {
    ServiceRegistrar registrar = registrars.get(id(registration));
    String status = registrar == null ? "DOWN" : registrar.state() == ServiceRegistrar.State.REGISTERED ? "UP" : "STARTING";
    return (T) status;
  }

  private static String id(RegistrarRegistration registration) {
    return registration.getServiceId() + "/" + registration.getInstanceId();
  }
}
