package dev.registrar.spring;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * Registers the application once its web server has started, and deregisters it first thing on
 * shutdown, before the web server stops: this lifecycle has the highest phase, so it starts last
 * and stops first. After deregistering it waits the deregistration delay, so that calls consumers
 * started just before they saw the removal still find a server.
 */
final class RegistrarAutoRegistration implements SmartLifecycle, ApplicationListener<WebServerInitializedEvent> {

  private static final Logger LOG = LoggerFactory.getLogger(RegistrarAutoRegistration.class);

  private final RegistrarServiceRegistry registry;
  private final RegistrarRegistration registration;
  private final Duration deregistrationDelay;
  private final boolean portConfigured;
  private volatile boolean running;

  RegistrarAutoRegistration(RegistrarServiceRegistry registry, RegistrarRegistration registration,
      RegistrarProperties.Registration settings) {
    this.registry = registry;
    this.registration = registration;
    this.deregistrationDelay = settings.getDeregistrationDelay();
    this.portConfigured = settings.getPort() != null;
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    // The management server (its own port) is not the application's endpoint.
    if (!portConfigured && !"management".equals(event.getApplicationContext().getServerNamespace())) {
      registration.setPort(event.getWebServer().getPort());
    }
  }

  @Override
  public void start() {
    if (registration.getPort() <= 0) {
      LOG.info("not registering {}: no web server started and no spring.cloud.registrar.registration.port set",
          registration.getServiceId());
      return;
    }
    registry.register(registration);
    running = true;
  }

  @Override
  public void stop() {
    if (!running) {
      return;
    }
    running = false;
    registry.deregister(registration);
    if (!deregistrationDelay.isZero()) {
      try {
        Thread.sleep(deregistrationDelay.toMillis()); // shutdown path, not a reconcile: consumers drain
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Starts after the web server (which starts in a lower phase) and stops before it. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }
}
