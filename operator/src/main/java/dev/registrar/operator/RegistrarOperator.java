package dev.registrar.operator;

import dev.registrar.client.internal.ConnectionNudge;

import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.etcd.EtcdRegistry;
import dev.registrar.operator.etcd.ClusterIdentity;
import dev.registrar.operator.etcd.EtcdHealth;
import dev.registrar.operator.etcd.EtcdRegistry;
import dev.registrar.operator.etcd.LeaseKeeper;
import dev.registrar.operator.etcd.OwnWrites;
import dev.registrar.operator.etcd.RegistryCounters;
import dev.registrar.operator.etcd.RegistryView;
import dev.registrar.operator.etcd.RegistryWatcher;
import dev.registrar.operator.reconciler.AsyncEventSink;
import dev.registrar.operator.reconciler.EventCoalescer;
import dev.registrar.operator.reconciler.EventSink;
import dev.registrar.operator.reconciler.GateWriter;
import dev.registrar.operator.reconciler.PodStatusGateWriter;
import dev.registrar.operator.reconciler.RegistrationStates;
import dev.registrar.operator.store.EtcdRegistrationStore;
import dev.registrar.operator.store.RegistrationStore;
import dev.registrar.operator.metrics.RegistrarMetrics;
import dev.registrar.client.ServiceClaims;
import dev.registrar.operator.model.RegistryContext;
import dev.registrar.operator.reconciler.EventRecorder;
import dev.registrar.operator.http.HttpEndpoints;
import dev.registrar.operator.reconciler.ServiceRegistrationReconciler;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
  /** How long a stop waits for reconciles in flight before it interrupts them. */
  static final Duration RECONCILE_GRACE_ON_STOP = Duration.ofSeconds(2);

  private final RegistrarConfig config;
  private final Client etcd;
  private final ScheduledExecutorService leaseExecutor;
  private final ScheduledExecutorService watchExecutor;
  private final ScheduledExecutorService eventExecutor;
  private final ScheduledExecutorService gateExecutor;
  private final EventCoalescer eventCoalescer;
  private final LeaseKeeper leaseKeeper;
  private final RegistryCounters counters = new RegistryCounters();
  private final RegistrarMetrics metrics = new RegistrarMetrics(counters);
  private final List<RegistryWatcher> watchers;
  private final EtcdHealth etcdHealth;
  private final Optional<ClusterIdentity> clusterIdentity;
  private final ServiceRegistrationReconciler reconciler;
  private final Operator operator;
  private final HttpEndpoints http;
  private final KubernetesClient kubernetes;
  private final Optional<LeaseLock> leaderLease;
  private final String leaderLeaseNamespace;
  private final CompletableFuture<Void> lostLeadership = new CompletableFuture<>();
  private volatile boolean stopping;
  private boolean closed;

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
   * @param retryPeriod leader election: how often the leader renews and candidates try (fabric8
   *     adds up to 120% jitter to a candidate's period). 750 ms lets a standby take over a
   *     released Lease within about 2 s of the leader's SIGTERM, for about 1.3 Lease writes a
   *     second from the leader.
   */
  public record Tuning(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    public static final Tuning PRODUCTION = new Tuning(Duration.ofSeconds(15),
        Duration.ofSeconds(10), Duration.ofMillis(750));
  }

  public RegistrarOperator(RegistrarConfig config, KubernetesClient kubernetes, Client etcd, Tuning tuning) {
    this.config = config;
    this.etcd = etcd;
    this.kubernetes = kubernetes;
    // Our own threads for jetcd callbacks, which must never block jetcd's event loop.
    this.leaseExecutor = Executors.newSingleThreadScheduledExecutor(daemon("registrar-leases"));
    this.watchExecutor = Executors.newSingleThreadScheduledExecutor(daemon("registrar-watch"));
    this.leaseKeeper = new LeaseKeeper(etcd, leaseExecutor, counters);
    Clock clock = Clock.systemUTC();
    OwnWrites ownWrites = new OwnWrites();
    ConnectionNudge nudge = new ConnectionNudge(etcd, leaseExecutor);
    this.etcdHealth = new EtcdHealth(etcd, config.keyPrefix().root(), nudge, clock);
    // Before anything else logs: an etcd that is not there at start is said first, and plainly.
    etcdHealth.checkNow().ifPresent(problem -> LOG.warn("etcd is not reachable at {} ({}); starting anyway: "
        + "registrations report Ready=False/EtcdUnavailable until it answers", config.etcdEndpoints(), problem));
    metrics.etcdUp(() -> etcdHealth.outage().isEmpty());
    // What etcd holds, kept by the watches and our own commits: reconciles plan from it.
    RegistryView view = new RegistryView();
    EtcdRegistry registry = new EtcdRegistry(etcd, ETCD_TIMEOUT, ownWrites, nudge, metrics, view);
    RegistrationStore store = new EtcdRegistrationStore(registry, leaseKeeper, view, config.keyPrefix().root());
    this.eventExecutor = Executors.newSingleThreadScheduledExecutor(daemon("registrar-events"));
    EventSink events = new AsyncEventSink(new EventRecorder(kubernetes, instanceName(), clock), eventExecutor);
    this.eventCoalescer = new EventCoalescer(events, clock, EventCoalescer.WINDOW, eventExecutor);
    // Pod conditions of the readiness gate, from threads of their own: a reconcile never waits for
    // them, and Pods are written side by side (each Pod's writes in order, by the writer).
    this.gateExecutor = Executors.newScheduledThreadPool(PodStatusGateWriter.THREADS, daemon("registrar-pod-gate"));
    GateWriter gateWriter = config.podReadinessGate()
        ? new PodStatusGateWriter(kubernetes, gateExecutor, clock, metrics) : GateWriter.NONE;
    this.reconciler = new ServiceRegistrationReconciler(
        new RegistryContext(config.keyPrefix(), config.clusterName(), config.podReadinessGate(), config.topology()),
        store, new RegistrationStates(), etcdHealth, config.namePolicy(), events, eventCoalescer, clock, counters,
        metrics, gateWriter);
    etcdHealth.onChange(reconciler::etcdHealthChanged);
    // One cluster name per cluster on a shared registry: held by a record carrying the cluster's ID.
    this.clusterIdentity = clusterId(kubernetes).map(id -> new ClusterIdentity(registry, view, leaseKeeper,
        config.clusterName(), id, instanceName(), Executors.newSingleThreadScheduledExecutor(daemon("registrar-identity")),
        reconciler::clusterNameChanged));
    clusterIdentity.ifPresent(identity -> reconciler.useClusterNameRefusal(identity::refusal));
    // One watch on the registry and one on the claims: the view, and drift repaired as soon as it happens.
    this.watchers = List.of(config.keyPrefix().root(), ServiceClaims.PREFIX).stream()
        .map(prefix -> new RegistryWatcher(etcd, prefix, view, ownWrites, reconciler::foreignChange,
            watchExecutor, counters, ETCD_TIMEOUT))
        .toList();
    leaderLeaseNamespace = leaderLeaseNamespace(config, kubernetes);
    // A unique identity per process: two replicas on one host must not share leadership.
    leaderLease = config.leaderElection() ? Optional.of(new LeaseLock(leaderLeaseNamespace, LEADER_LEASE_NAME,
        instanceName() + "-" + UUID.randomUUID().toString().substring(0, 8))) : Optional.empty();
    this.operator = new Operator(o -> {
      o.withMetrics(metrics.josdk());
      o.withKubernetesClient(kubernetes)
          .withCloseClientOnStop(false)
          .withConcurrentReconciliationThreads(config.reconcileThreads())
          .withReconciliationTerminationTimeout(RECONCILE_GRACE_ON_STOP)
          // Status is written with a JSON merge patch only when it changed; server-side apply
          // would need field-manager bookkeeping for no gain here.
          .withUseSSAToPatchPrimaryResource(false)
          .withResourceCloner(new RegistrationCloner(kubernetes.getKubernetesSerialization()));
      leaderLease.ifPresent(lock -> o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(
          LEADER_LEASE_NAME, leaderLeaseNamespace, tuning.leaseDuration(), tuning.renewDeadline(),
          tuning.retryPeriod(), lock.identity(),
          new LeaderCallbacks(() -> LOG.info("leading as {}", lock.identity()), this::stoppedLeading, leader -> { }),
          // Never JOSDK's System.exit: called from a shutdown path it waits for ever on the JVM's
          // shutdown lock. Losing leadership completes lostLeadership(); Main exits on it.
          false)));
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

  /**
   * The cluster's ID, KEP-2149's: the UID of its kube-system Namespace. Empty (with a warning) when
   * it cannot be read: the cluster name is then not checked for uniqueness.
   */
  static Optional<String> clusterId(KubernetesClient kubernetes) {
    try {
      var namespace = kubernetes.namespaces().withName("kube-system").get();
      if (namespace != null && namespace.getMetadata().getUid() != null) {
        return Optional.of(namespace.getMetadata().getUid());
      }
      LOG.warn("the API server has no Namespace kube-system: this cluster's name is not checked for uniqueness "
          + "among the clusters sharing the registry");
    } catch (KubernetesClientException e) {
      LOG.warn("cannot read Namespace kube-system (HTTP {}): this cluster's name is not checked for uniqueness "
          + "among the clusters sharing the registry; grant get on namespaces/kube-system (docs/rbac.md)", e.getCode());
    }
    return Optional.empty();
  }

  /** Starts probing etcd, serving HTTP and reconciling (or standing by for leadership). */
  public void start() {
    etcdHealth.start();
    clusterIdentity.ifPresent(ClusterIdentity::start);
    http.start();
    // Before the controller: the first reconciles plan from a loaded view rather than read etcd.
    // A change reported before the controller runs is not lost: its first reconciles see it.
    watchers.forEach(RegistryWatcher::start);
    operator.start();
    LOG.info("Registrar started: etcd {}, prefix {}, cluster {}, namespaces {}, name policy {}, readiness gate {}, "
        + "topology {}, HTTP port {}", config.etcdEndpoints(), config.keyPrefix(), config.clusterName(),
        config.watchesAllNamespaces() ? "all" : config.watchNamespaces(), config.namePolicy().text(),
        config.podReadinessGate() ? "on" : "off", config.topology() ? "on" : "off", http.port());
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

  /**
   * Completes when this replica lost leadership without being asked to stop: it must not
   * reconcile any more, and the process should exit so that its pod restarts.
   */
  public CompletableFuture<Void> lostLeadership() {
    return lostLeadership;
  }

  private void stoppedLeading() {
    if (!stopping) {
      LOG.warn("lost leadership of Lease {} without being asked to stop", LEADER_LEASE_NAME);
      lostLeadership.complete(null);
    }
  }

  /**
   * Stops reconciling, then releases the leader Lease so that a standby takes over at once
   * rather than when the Lease expires. etcd leases are not revoked: their keys stay, renewed by
   * the next leader, or until the TTL ends.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopping = true;
    reconciler.stopping();
    try {
      operator.stop();
      leaderLease.ifPresent(this::releaseLeadership);
    } finally {
      http.close();
      etcdHealth.close();
      watchers.forEach(RegistryWatcher::close);
      eventCoalescer.close(); // what a burst still owes is told before the process goes
      eventExecutor.shutdown();
      awaitQuietly(eventExecutor);
      gateExecutor.shutdown();
      awaitQuietly(gateExecutor);
      clusterIdentity.ifPresent(ClusterIdentity::close);
      leaseKeeper.close();
      leaseExecutor.shutdownNow();
      watchExecutor.shutdown();
      awaitQuietly(watchExecutor);
      etcd.close();
    }
  }

  /** The leader Lease's namespace: the setting, or the client's own namespace (the Pod's, in a cluster). */
  static String leaderLeaseNamespace(RegistrarConfig config, KubernetesClient kubernetes) {
    return config.leaderElectionNamespace().orElseGet(() -> kubernetes.getConfiguration().getNamespace());
  }

  /** What controller-runtime's LeaderElectionReleaseOnCancel does; JOSDK does not expose it. */
  private void releaseLeadership(LeaseLock lock) {
    try {
      LeaderElectionRecord current = lock.get(kubernetes);
      if (current == null || !lock.identity().equals(current.getHolderIdentity())) {
        return; // a standby, or leadership already lost
      }
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      // An empty holder, not null: fabric8 writes the record as a JSON merge patch, where a
      // missing field keeps the old holder (a real API server showed it; the mock did not).
      LeaderElectionRecord released = new LeaderElectionRecord("", Duration.ofSeconds(1), now, now,
          current.getLeaderTransitions());
      // The lock updates the Lease it just read, with its resourceVersion: a stale write fails.
      lock.update(kubernetes, released);
      LOG.info("released leadership: Lease {}/{} is free for a standby", leaderLeaseNamespace, LEADER_LEASE_NAME);
    } catch (RuntimeException e) {
      LOG.warn("could not release Lease {}; a standby takes over when it expires: {}", LEADER_LEASE_NAME, e.toString());
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
