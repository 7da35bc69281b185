package dev.registrar.client;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registrar.client.internal.ConnectionNudge;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live, local view of services in the registry, for consumers.
 *
 * <p>It does a full Get of the prefix, then watches from the Get's revision + 1, and keeps a
 * cache in which a key changes only for a newer ModRevision (no going back in time, no
 * duplicates). After a compaction, a watch error or an etcd outage it reads everything again and
 * reports only the real differences. Retries never stop (backoff capped at 5 s).
 *
 * <p><b>Last known good:</b> a transient failure never empties the view. While etcd cannot be
 * reached, {@link #instances} keeps returning the last list it knew and {@link #isStale()} is
 * true; instances disappear only when etcd says their keys are gone.
 *
 * <p>Listeners run on an executor of their own, never on jetcd's event-loop threads, so a slow
 * listener never stalls the watch. Keys whose values are not valid endpoint values are skipped,
 * logged and counted; they never break the view.
 */
public final class ServiceDiscovery implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceDiscovery.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /**
   * Told about changes, in the order they happened. A listener added at any time first hears an
   * {@link #added} for each instance already in view, then every later change: it sees the
   * present, not only the future.
   */
  public interface Listener {
    default void added(ServiceInstance instance) {}

    default void removed(ServiceInstance instance) {}

    default void changed(ServiceInstance before, ServiceInstance after) {}

    /**
     * The view is complete up to {@code revision}: called after the first read (even when it
     * found nothing), after each batch of changes, and after a new listener's replay. Adapters
     * that push whole lists (a gRPC resolver, a Spring heartbeat) push here, once per batch.
     */
    default void synced(long revision) {}
  }

  /**
   * @param timeout how long one read of etcd may take
   * @param probeInterval how often etcd is checked, so that an outage marks the view stale
   */
  public record Options(Duration timeout, Duration probeInterval) {
    public static final Options DEFAULT = new Options(Duration.ofSeconds(5), Duration.ofSeconds(2));
  }

  private final Client client;
  private final RegistryPrefix prefix;
  private final String scope;
  private final Options options;
  private final ScheduledExecutorService executor;
  private final ExecutorService listenerExecutor;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstSync = new CountDownLatch(1);
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong resyncs = new AtomicLong();

  // Touched only on the executor.
  private final InstanceCache cache = new InstanceCache();
  private final ConnectionNudge nudge;
  private final PrefixWatch watch;

  // Service name to its immutable view: replaced, service by service, on the executor.
  private final Map<String, ServiceView> views = new ConcurrentHashMap<>();
  private volatile boolean stale = true;
  private volatile Instant lastSync;
  private volatile long revision;
  private volatile boolean closed;

  private ServiceDiscovery(Client client, RegistryPrefix prefix, String scope, Options options) {
    this.client = client;
    this.prefix = prefix;
    this.scope = scope;
    this.options = options;
    this.executor = Executors.newSingleThreadScheduledExecutor(daemon("registrar-discovery"));
    this.listenerExecutor = Executors.newSingleThreadExecutor(daemon("registrar-discovery-listeners"));
    this.nudge = new ConnectionNudge(client, executor);
    this.watch = new PrefixWatch(client, scope, executor, options.timeout(), MAX_BACKOFF, new PrefixWatch.Handler() {
      @Override
      public void snapshot(List<KeyValue> kvs, long at) {
        onSnapshot(kvs, at);
      }

      @Override
      public void events(List<WatchEvent> events) {
        onEvents(events);
      }

      @Override
      public void stale(Throwable cause) {
        stale = true;
      }
    });
  }

  /** Watches every service under the prefix. The client stays the caller's. */
  public static ServiceDiscovery start(Client client, RegistryPrefix prefix) {
    return start(client, prefix, null, Options.DEFAULT);
  }

  /** Watches one service only. */
  public static ServiceDiscovery watch(Client client, RegistryPrefix prefix, String serviceName) {
    return start(client, prefix, serviceName, Options.DEFAULT);
  }

  /** @param serviceName one service, or null for every service under the prefix */
  public static ServiceDiscovery start(Client client, RegistryPrefix prefix, String serviceName, Options options) {
    String scope = serviceName == null ? prefix.root() : prefix.servicePath(serviceName);
    ServiceDiscovery discovery = new ServiceDiscovery(client, prefix, scope, options);
    discovery.watch.start();
    long probe = options.probeInterval().toMillis();
    discovery.executor.scheduleWithFixedDelay(discovery::probe, probe, probe, TimeUnit.MILLISECONDS);
    return discovery;
  }

  /** Waits until the first full read is done; false on timeout. */
  public boolean awaitInitialSync(Duration timeout) throws InterruptedException {
    return firstSync.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** An immutable snapshot of one service's instances, sorted by key. */
  public List<ServiceInstance> instances(String serviceName) {
    return view(serviceName).instances();
  }

  /** Every instance in view, sorted by key. */
  public List<ServiceInstance> all() {
    return views.values().stream().flatMap(v -> v.instances().stream())
        .sorted(Comparator.comparing(i -> i.key().asString())).toList();
  }

  /** The names of the services in view that have at least one instance, sorted. */
  public List<String> services() {
    return views.keySet().stream().sorted().toList();
  }

  /**
   * A weighted random instance of the service (weight 0 is never picked). It costs O(log n) in
   * the service's own instances: each service keeps a cumulative-weight table.
   */
  public Optional<ServiceInstance> pick(String serviceName, RandomGenerator random) {
    return view(serviceName).pick(random);
  }

  /** A weighted random instance of the service with this version. */
  public Optional<ServiceInstance> pick(String serviceName, String version, RandomGenerator random) {
    return view(serviceName).withVersion(version).pick(random);
  }

  /**
   * A weighted random instance in the caller's {@code zone} (an instance's value {@code zone}, or
   * its {@code metadata.zone}); when no instance there can be picked, one of all instances.
   */
  public Optional<ServiceInstance> pickInZone(String serviceName, String zone, RandomGenerator random) {
    return view(serviceName).preferringZone(zone).pick(random);
  }

  /**
   * A weighted random instance nearest to the caller: in its zone (and cluster), else in its
   * cluster, else anywhere; a nearer set is skipped while none of its instances can take calls
   * (weight 0 or none left). {@code pickNear("cart", Locality.of("eu-west-1a", "eu"), random)}.
   */
  public Optional<ServiceInstance> pickNear(String serviceName, Locality near, RandomGenerator random) {
    return view(serviceName).preferringNear(near).pick(random);
  }

  private ServiceView view(String serviceName) {
    return views.getOrDefault(serviceName, ServiceView.EMPTY);
  }

  /**
   * Adds a listener. It first receives {@link Listener#added} for every instance in view now (in
   * key order) and then {@link Listener#synced}, on the listener thread and before any later
   * change; then each change. Before the first read there is nothing to replay: the first read's
   * instances arrive as additions, followed by {@code synced}.
   */
  public void addListener(Listener listener) {
    try {
      // On the thread that changes the view, so that the replay and the changes after it neither
      // miss nor repeat anything.
      executor.execute(() -> {
        List<ServiceInstance> present = cache.all();
        boolean synced = firstSync.getCount() == 0;
        long at = revision;
        listeners.add(listener);
        if (synced) {
          listenerExecutor.execute(() -> {
            present.stream().takeWhile(instance -> listeners.contains(listener))
                .forEach(instance -> notify(listener, new InstanceCache.Change(null, instance)));
            if (listeners.contains(listener)) {
              synced(listener, at);
            }
          });
        }
      });
    } catch (RejectedExecutionException e) {
      // Closed.
    }
  }

  /** Removes a listener: it hears nothing more once this returns. */
  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  /** True until the first read, and while etcd cannot be reached or the watch is being rebuilt. */
  public boolean isStale() {
    return stale;
  }

  /** When the view was last known to be current; empty before the first read. */
  public Optional<Instant> lastSync() {
    return Optional.ofNullable(lastSync);
  }

  /** The etcd revision the view reflects. */
  public long revision() {
    return revision;
  }

  /** How many malformed values were skipped so far. */
  public long malformedSkipped() {
    return malformed.get();
  }

  /** How many times the view was rebuilt from a full read after the first (compaction, outage). */
  public long resyncs() {
    return resyncs.get();
  }

  private void onSnapshot(List<KeyValue> kvs, long at) {
    if (firstSync.getCount() == 0) {
      resyncs.incrementAndGet();
    }
    List<ServiceInstance> read = new ArrayList<>();
    for (KeyValue kv : kvs) {
      decode(kv).ifPresent(read::add);
    }
    boolean first = firstSync.getCount() > 0;
    revision = at;
    publish(cache.replaceAll(read), first);
    markSynced();
    firstSync.countDown();
  }

  private void onEvents(List<WatchEvent> events) {
    List<InstanceCache.Change> changes = new ArrayList<>();
    for (WatchEvent event : events) {
      KeyValue kv = event.getKeyValue();
      String key = kv.getKey().toString(UTF_8);
      ServiceInstance instance = event.getEventType() == WatchEvent.EventType.PUT ? decode(kv).orElse(null) : null;
      changes.addAll(cache.apply(key, instance, kv.getModRevision()));
      revision = Math.max(revision, kv.getModRevision());
    }
    publish(changes, false);
    markSynced();
  }

  /** Notices outages that jetcd's silent reconnects would hide, and rebuilds after them. */
  private void probe() {
    if (closed) {
      return;
    }
    try {
      client.getKVClient().get(bytes(scope), GetOption.builder().isPrefix(true).withCountOnly(true).build())
          .get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
      nudge.callSucceeded();
      if (stale && watch.isWatching()) {
        watch.resync(); // back after an outage: make sure nothing was missed
      } else if (!stale) {
        lastSync = Instant.now();
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      stale = true;
      // Reconnect as soon as etcd is back, not after gRPC's backoff (up to 2 minutes).
      nudge.callFailed();
    }
  }

  private Optional<ServiceInstance> decode(KeyValue kv) {
    String key = kv.getKey().toString(UTF_8);
    Optional<RegistryKey> parsed = prefix.parse(key);
    if (parsed.isEmpty()) {
      return skip(key, "not an endpoint key: {prefix}/{service}/{host}:{port} expected");
    }
    try {
      return Optional.of(new ServiceInstance(parsed.get(), EndpointCodec.decode(kv.getValue().getBytes(), parsed.get()),
          kv.getModRevision()));
    } catch (EndpointCodec.MalformedValueException e) {
      return skip(key, e.getMessage());
    }
  }

  private Optional<ServiceInstance> skip(String key, String why) {
    malformed.incrementAndGet();
    LOG.warn("skipping {} in the registry: {}", key, why);
    return Optional.empty();
  }

  private void markSynced() {
    stale = false;
    lastSync = Instant.now();
  }

  private void publish(List<InstanceCache.Change> changes, boolean always) {
    for (String service : cache.drainTouched()) {
      List<ServiceInstance> instances = cache.instances(service);
      if (instances.isEmpty()) {
        views.remove(service);
      } else {
        views.put(service, new ServiceView(instances));
      }
    }
    if ((changes.isEmpty() && !always) || listeners.isEmpty()) {
      return;
    }
    List<Listener> targets = List.copyOf(listeners);
    long at = revision;
    try {
      listenerExecutor.execute(() -> {
        for (InstanceCache.Change change : changes) {
          for (Listener listener : targets) {
            if (listeners.contains(listener)) {
              notify(listener, change);
            }
          }
        }
        targets.stream().filter(listeners::contains).forEach(listener -> synced(listener, at));
      });
    } catch (RejectedExecutionException e) {
      // Closed.
    }
  }

  private static void notify(Listener listener, InstanceCache.Change change) {
    try {
      if (change.before() == null) {
        listener.added(change.after());
      } else if (change.after() == null) {
        listener.removed(change.before());
      } else {
        listener.changed(change.before(), change.after());
      }
    } catch (RuntimeException e) {
      LOG.warn("a ServiceDiscovery listener failed", e);
    }
  }

  private static void synced(Listener listener, long revision) {
    try {
      listener.synced(revision);
    } catch (RuntimeException e) {
      LOG.warn("a ServiceDiscovery listener failed", e);
    }
  }

  /** Stops watching. The jetcd client is the caller's to close. */
  @Override
  public void close() {
    closed = true;
    watch.close();
    // Now, not after a probe that waits for an unreachable etcd (up to the timeout) gives up.
    executor.shutdownNow();
    try {
      executor.awaitTermination(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    listenerExecutor.shutdown();
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, UTF_8);
  }
}
