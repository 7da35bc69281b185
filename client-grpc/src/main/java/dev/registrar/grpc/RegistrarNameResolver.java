package dev.registrar.grpc;

import dev.registrar.client.ServiceDiscovery;
import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Resolves {@code registrar:///{service}} from a watch on the registry: it pushes the whole address
 * list once per change (never polls), keeps the last list it pushed while etcd cannot be reached
 * (the watch never forgets instances on errors), and pushes an empty list only when the registry
 * says the service has no instances.
 */
final class RegistrarNameResolver extends NameResolver {

  /** Selects the weighted policy unless the channel ignores the resolver's service config. */
  static final Map<String, ?> DEFAULT_SERVICE_CONFIG =
      Map.of("loadBalancingConfig", List.of(Map.of(RegistrarGrpc.POLICY_NAME, Map.of())));

  /** How long the first read may take before calls are failed instead of queued. */
  static final Duration FIRST_READ_TIMEOUT = Duration.ofSeconds(5);

  private final RegistrarTarget target;
  private final RegistrySource source;
  private final SynchronizationContext syncContext;
  private final ScheduledExecutorService scheduler;
  private final ConfigOrError serviceConfig;

  // Touched only in the synchronization context.
  private Listener2 listener;
  private ServiceDiscovery discovery;
  private List<EquivalentAddressGroup> pushed;
  private SynchronizationContext.ScheduledHandle firstReadTimeout;
  private boolean shutdown;

  private final ServiceDiscovery.Listener onChange = new ServiceDiscovery.Listener() {
    @Override
    public void synced(long revision) {
      // On the discovery's listener thread: build the list here, hand it to gRPC's context.
      List<EquivalentAddressGroup> addresses = Addresses.of(discovery.instances(target.service()), target);
      syncContext.execute(() -> push(addresses));
    }
  };

  RegistrarNameResolver(RegistrarTarget target, RegistrySource source, Args args) {
    this.target = target;
    this.source = source;
    this.syncContext = args.getSynchronizationContext();
    this.scheduler = args.getScheduledExecutorService();
    this.serviceConfig = args.getServiceConfigParser().parseServiceConfig(DEFAULT_SERVICE_CONFIG);
  }

  @Override
  public String getServiceAuthority() {
    return target.service();
  }

  @Override
  public void start(Listener2 listener) {
    this.listener = listener;
    this.discovery = source.acquire(target.service());
    firstReadTimeout = syncContext.schedule(() -> {
      if (pushed == null && !shutdown) {
        listener.onError(Status.UNAVAILABLE.withDescription("the registry (etcd, " + source.prefix()
            + ") did not answer within " + FIRST_READ_TIMEOUT.toSeconds() + " s, so " + target
            + " has no addresses yet; calls fail until it answers"));
      }
    }, FIRST_READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS, scheduler);
    discovery.addListener(onChange);
  }

  private void push(List<EquivalentAddressGroup> addresses) {
    if (shutdown || addresses.equals(pushed)) {
      return;
    }
    pushed = addresses;
    if (firstReadTimeout != null) {
      firstReadTimeout.cancel();
      firstReadTimeout = null;
    }
    listener.onResult2(ResolutionResult.newBuilder()
        .setAddressesOrError(StatusOr.fromValue(addresses))
        .setAttributes(Attributes.newBuilder().set(RegistrarGrpc.TARGET, target).build())
        .setServiceConfig(serviceConfig)
        .build());
  }

  /** Nothing to do: changes are pushed as they happen. */
  @Override
  public void refresh() {}

  @Override
  public void shutdown() {
    if (shutdown) {
      return;
    }
    shutdown = true;
    if (firstReadTimeout != null) {
      firstReadTimeout.cancel();
    }
    if (discovery != null) {
      discovery.removeListener(onChange);
      source.release(target.service());
    }
  }
}
