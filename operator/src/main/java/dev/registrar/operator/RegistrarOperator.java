package dev.registrar.operator;

import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.etcd.EtcdRegistry;
import dev.registrar.operator.etcd.ConnectionNudge;
import dev.registrar.operator.etcd.EtcdHealth;
import dev.registrar.operator.etcd.LeaseKeeper;
import dev.registrar.operator.etcd.OwnWrites;
import dev.registrar.operator.etcd.RegistryCounters;
import dev.registrar.operator.etcd.RegistryWatcher;
import dev.registrar.operator.metrics.RegistrarMetrics;
import dev.registrar.client.ServiceClaims;
import dev.registrar.operator.model.RegistryContext;
import dev.registrar.operator.reconciler.EventRecorder;
import dev.registrar.operator.http.HttpEndpoints;
import dev.registrar.operator.reconciler.ServiceRegistrationReconciler;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: wires the configuration, the two clients, JOSDK and the HTTP endpoints. */
public final class RegistrarOperator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RegistrarOperator.class);

  static final String LEADER_LEASE_NAME = "registrar-leader";
  static final Duration ETCD_TIMEOUT = Duration.ofSeconds(5);
  // Capped low: when etcd returns, every registration is back within seconds.
  static final Duration MAX_RETRY_INTERVAL = Duration.ofSeconds(2);

  private final RegistrarConfig config;
  private final Client etcd;
  private final ScheduledExecutorService leaseExecutor;
  private final ScheduledExecutorService watchExecutor;
  private final LeaseKeeper leaseKeeper;
  private final RegistryCounters counters = new RegistryCounters();
  private final RegistrarMetrics metrics = new RegistrarMetrics(counters);
  private final List<RegistryWatcher> watchers;
  private final EtcdHealth etcdHealth;
  private final Operator operator;
  private final HttpEndpoints http;

  /**
   * @param kubernetes not closed by this class: its creator owns it
   * @param etcd closed by this class
   */
  public RegistrarOperator(RegistrarConfig config, KubernetesClient kubernetes, Client etcd) {
    this(config, kubernetes, etcd, Tuning.PRODUCTION);
  }

  /**
   * What tests tune and production keeps as is.
   *
   * @param leaseDuration leader election: how long a leader's Lease is valid
   * @param renewDeadline leader election: how long the leader tries to renew before giving up
   * @param retryPeriod leader election: how often candidates try
   * @param exitOnLostLeadership exit the process when leadership is lost, so that a deposed
   *     leader can never go on writing (true in production)
   */
  public record Tuning(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod,
      boolean exitOnLostLeadership) {
    public static final Tuning PRODUCTION = new Tuning(Duration.ofSeconds(15),
        Duration.ofSeconds(10), Duration.ofSeconds(2), true);
  }

  public RegistrarOperator(RegistrarConfig config, KubernetesClient kubernetes, Client etcd, Tuning tuning) {
    this.config = config;
    this.etcd = etcd;
    // Our own threads for jetcd callbacks, which must never block jetcd's event loop.
    this.leaseExecutor = Executors.newSingleThreadScheduledExecutor(daemon("registrar-leases"));
    this.watchExecutor = Executors.newSingleThreadScheduledExecutor(daemon("registrar-watch"));
    this.leaseKeeper = new LeaseKeeper(etcd, leaseExecutor, counters);
    Clock clock = Clock.systemUTC();
    OwnWrites ownWrites = new OwnWrites();
    ConnectionNudge nudge = new ConnectionNudge(etcd, leaseExecutor);
    ServiceRegistrationReconciler reconciler = new ServiceRegistrationReconciler(
        new RegistryContext(config.keyPrefix(), config.clusterName()),
        new EtcdRegistry(etcd, ETCD_TIMEOUT, ownWrites, nudge, metrics), leaseKeeper,
        new EventRecorder(kubernetes, instanceName(), clock), clock, counters, metrics);
    // One watch on the registry and one on the claims: drift is repaired as soon as it happens.
    this.watchers = List.of(config.keyPrefix().root(), ServiceClaims.PREFIX).stream()
        .map(prefix -> new RegistryWatcher(etcd, prefix, ownWrites, reconciler::foreignChange,
            watchExecutor, counters, ETCD_TIMEOUT))
        .toList();
    this.etcdHealth = new EtcdHealth(etcd, config.keyPrefix().root(), nudge);
    this.operator = new Operator(o -> {
      o.withMetrics(metrics.josdk());
      o.withKubernetesClient(kubernetes)
          .withCloseClientOnStop(false)
          // Status is written with a JSON merge patch only when it changed; server-side apply
          // would need field-manager bookkeeping for no gain here.
          .withUseSSAToPatchPrimaryResource(false);
      if (config.leaderElection()) {
        String namespace = config.leaderElectionNamespace()
            .orElseGet(() -> kubernetes.getConfiguration().getNamespace());
        // A unique identity per process: two replicas on one host must not share leadership.
        String identity = instanceName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEADER_LEASE_NAME, namespace,
            tuning.leaseDuration(), tuning.renewDeadline(), tuning.retryPeriod(), identity, null,
            tuning.exitOnLostLeadership()));
      }
    });
    operator.register(reconciler, c -> {
      // Never give up on a registration: etcd outages can outlast any fixed number of attempts.
      c.withRetry(new GenericRetry().setInitialInterval(500).setIntervalMultiplier(2)
          .setMaxInterval(MAX_RETRY_INTERVAL.toMillis()).withoutMaxAttempts());
      c.withReconciliationMaxInterval(config.resyncInterval());
      if (!config.watchesAllNamespaces()) {
        c.settingNamespaces(config.watchNamespaces());
      }
    });
    this.http = new HttpEndpoints(config.httpPort(), this::notReadyReason, metrics::scrape);
  }

  public void start() {
    http.start();
    operator.start();
    // After the controller runs, so that every change the watches report can be acted on.
    watchers.forEach(RegistryWatcher::start);
    LOG.info("Registrar started: etcd {}, prefix {}, cluster {}, namespaces {}, HTTP port {}",
        config.etcdEndpoints(), config.keyPrefix(), config.clusterName(),
        config.watchesAllNamespaces() ? "all" : config.watchNamespaces(), http.port());
  }

  public int httpPort() {
    return http.port();
  }

  public RegistryCounters counters() {
    return counters;
  }

  public RegistrarMetrics metrics() {
    return metrics;
  }

  /** Why the operator is not ready to serve, or empty when it is. */
  Optional<String> notReadyReason() {
    var runtime = operator.getRuntimeInfo();
    if (!runtime.isStarted()) {
      return Optional.of("operator not started");
    }
    if (!runtime.allEventSourcesAreHealthy()) {
      return Optional.of("informers not synced or not healthy");
    }
    return etcdHealth.problem();
  }

  /** Stops reconciling. Leases are not revoked: their keys stay until another replica takes over or the TTL ends. */
  @Override
  public void close() {
    try {
      operator.stop();
    } finally {
      http.close();
      watchers.forEach(RegistryWatcher::close);
      leaseKeeper.close();
      leaseExecutor.shutdownNow();
      watchExecutor.shutdown();
      awaitQuietly(watchExecutor);
      etcd.close();
    }
  }

  private static void awaitQuietly(ScheduledExecutorService executor) {
    try {
      if (!executor.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS)) {
        executor.shutdownNow(); // a read blocked on an unreachable etcd
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Who reports Events: the pod's name in a cluster (HOSTNAME), else the host's name. */
  private static String instanceName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "registrar";
    }
  }
}
