package dev.registrar.spring;

import dev.registrar.client.ServiceDiscovery;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Publishes a {@link HeartbeatEvent} after each change of the registry, with the etcd revision as
 * its state, so that consumers which refresh on heartbeats (grpc-spring's {@code discovery:///},
 * Spring Cloud Gateway's routes) see changes as they happen. It starts with the context, once
 * every listener is in place.
 */
final class RegistrarHeartbeat implements SmartLifecycle {

  private final ServiceDiscovery discovery;
  private final ApplicationEventPublisher publisher;
  private volatile boolean running;

  private final ServiceDiscovery.Listener listener = new ServiceDiscovery.Listener() {
    @Override
    public void synced(long revision) {
      if (running) {
        publisher.publishEvent(new HeartbeatEvent(RegistrarHeartbeat.this, revision));
      }
    }
  };

  RegistrarHeartbeat(ServiceDiscovery discovery, ApplicationEventPublisher publisher) {
    this.discovery = discovery;
    this.publisher = publisher;
  }

  @Override
  public void start() {
    running = true;
    discovery.addListener(listener);
  }

  @Override
  public void stop() {
    running = false;
    discovery.removeListener(listener);
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
