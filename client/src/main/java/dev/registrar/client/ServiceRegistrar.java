package dev.registrar.client;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registrar.client.internal.Backoff;
import dev.registrar.client.internal.ConnectionNudge;
import dev.registrar.client.internal.KeepAliveObserver;
import dev.registrar.client.internal.EtcdErrors;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers one endpoint of a process that runs outside Kubernetes (a VM, a batch host), with the
 * same key and value schema as the operator.
 *
 * <p>{@link #register} returns at once; its future completes when the key is in etcd, bound to a
 * lease this registrar keeps alive. While etcd cannot be reached it retries with backoff (200 ms
 * doubling to 5 s, for ever) and {@link #state()} says {@link State#REGISTERING}. Once registered:
 * <ul>
 *   <li>a key deleted by someone else (etcdctl del) is put back within a second, while the lease
 *       lives: the registrar watches its own key;</li>
 *   <li>a key another instance took over (an overlapping restart of the same host:port) is left
 *       to it: this registrar never overwrites or deletes a key bound to another lease;</li>
 *   <li>when jetcd ends the keepalive (no answer in time, such as during an etcd restart), etcd is
 *       asked whether the lease still exists before anything else; only a lease that is really
 *       gone is replaced, and the key is registered again under the new one.</li>
 * </ul>
 *
 * <p>{@link #close} revokes the lease, which removes the key if, and only if, it is still bound to
 * this registrar's lease. It is idempotent; {@link #register} after it throws. Close the registrar
 * before your server stops serving, and the jetcd client after it.
 *
 * <pre>{@code
 * ServiceRegistrar registrar = new ServiceRegistrar(client, RegistryPrefix.DEFAULT, Duration.ofSeconds(30));
 * registrar.register("orders", new EndpointValue("1.2.0", 100, "10.0.0.7", 8080, "http",
 *     null, null, null, Map.of(), null)).get(10, TimeUnit.SECONDS); // or carry on and let it retry
 * Runtime.getRuntime().addShutdownHook(new Thread(registrar::close));
 * }</pre>
 */
public final class ServiceRegistrar implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceRegistrar.class);

  public static final Duration MIN_TTL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** Where a registrar is in its life. */
  public enum State {
    /** {@link #register} not called yet. */
    NEW,
    /** The key is not known to be in etcd: the first attempt, or etcd dropped the lease; retrying. */
    REGISTERING,
    /** The key was put under a live lease, which is being kept alive. */
    REGISTERED,
    /** Closed: the lease was revoked (or will expire), nothing more happens. */
    CLOSED
  }

  private final Client client;
  private final RegistryPrefix prefix;
  private final Duration ttl;
  private final CompletableFuture<Long> registered = new CompletableFuture<>();
  private final Object lifecycle = new Object();

  private volatile State state = State.NEW;
  private volatile RegistryKey key;
  private volatile byte[] value;
  private volatile long leaseId;
  // Touched only on the executor, which exists from register() on.
  private ScheduledExecutorService executor;
  private volatile ConnectionNudge nudge;
  private CloseableClient keepAlive;
  private long keepAliveLease;
  private Watch.Watcher ownKeyWatch;
  private final Backoff backoff = new Backoff(FIRST_BACKOFF, MAX_BACKOFF);
  private boolean retryScheduled;

  /** A registrar with the default 30 s lease TTL. */
  public ServiceRegistrar(Client client, RegistryPrefix prefix) {
    this(client, prefix, DEFAULT_TTL);
  }

  /** @param ttl the lease TTL, at least 15 s: how long the key outlives this process if it dies */
  public ServiceRegistrar(Client client, RegistryPrefix prefix, Duration ttl) {
    if (ttl.compareTo(MIN_TTL) < 0) {
      throw new IllegalArgumentException("lease TTL " + ttl.toSeconds() + " s is below the minimum of 15 s");
    }
    this.client = client;
    this.prefix = prefix;
    this.ttl = ttl;
  }

  /**
   * Registers {@code value.address():value.port()} as an endpoint of {@code serviceName}, and
   * returns at once. Calling it again for the same endpoint returns the same outcome; a registrar
   * registers one endpoint only.
   *
   * @return completes with the lease ID once the key is in etcd; cancelled if the registrar is
   *     closed first
   * @throws IllegalStateException after {@link #close}, or for a second, different endpoint
   */
  public CompletableFuture<Long> register(String serviceName, EndpointValue value) {
    RegistryKey wanted = prefix.key(serviceName, value.address(), value.port());
    synchronized (lifecycle) {
      if (state == State.CLOSED) {
        throw new IllegalStateException("this registrar is closed; create a new one to register " + wanted);
      }
      if (state != State.NEW) {
        if (!wanted.equals(key)) {
          throw new IllegalStateException("this registrar already registers " + key
              + "; use one registrar per endpoint");
        }
        return registered.copy();
      }
      this.key = wanted;
      this.value = EndpointCodec.encode(value);
      this.state = State.REGISTERING;
      this.executor = Executors.newSingleThreadScheduledExecutor(
          ServiceDiscovery.daemon("registrar-" + serviceName + "-" + wanted.endpoint()));
      this.nudge = new ConnectionNudge(client, executor);
      executor.execute(this::attempt);
      return registered.copy();
    }
  }

  /** The key this registrar holds, or null before {@link #register}. */
  public RegistryKey key() {
    return key;
  }

  /** The lease the key is bound to; 0 until the first successful registration. */
  public long leaseId() {
    return leaseId;
  }

  public State state() {
    return state;
  }

  /**
   * Gets the key into etcd under a live lease: the current lease if etcd still has it, else a new
   * one. Retries with backoff on any failure.
   */
  private void attempt() {
    if (state == State.CLOSED) {
      return;
    }
    try {
      long lease = leaseId;
      if (lease != 0 && !leaseAlive(lease)) {
        LOG.warn("lease {} of {} is gone from etcd; registering under a new lease", hex(lease), key);
        lease = 0;
      }
      if (lease == 0) {
        // Kept from here on: a later attempt (the put below failed) reuses it while etcd has it,
        // so no attempt leaves an orphaned lease behind.
        lease = client.getLeaseClient().grant(ttl.toSeconds()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getID();
        leaseId = lease;
      }
      keepAlive(lease);
      long revision = client.getKVClient().put(bytes(key.asString()), ByteSequence.from(value),
          PutOption.builder().withLeaseId(lease).build()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .getHeader().getRevision();
      watchOwnKey(revision + 1);
      succeeded();
      if (state != State.REGISTERED) {
        state = State.REGISTERED;
        LOG.info("registered {} under lease {}", key, hex(lease));
      }
      registered.complete(lease);
    } catch (Exception e) {
      failed("registering " + key, e);
    }
  }

  /** etcd's word on the lease; a failure to ask is thrown, never read as "gone". */
  private boolean leaseAlive(long lease) throws Exception {
    return client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT)
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getTTL() > 0;
  }

  private void keepAlive(long lease) {
    if (keepAlive != null && keepAliveLease == lease) {
      return;
    }
    closeKeepAlive();
    keepAliveLease = lease;
    keepAlive = client.getLeaseClient().keepAlive(lease, new KeepAliveObserver(
        nudge::callSucceeded,
        error -> nudge.callFailed(), // reconnect at once when etcd is back, not after gRPC's backoff
        () -> onExecutor(() -> keepAliveEnded(lease))));
  }

  private void keepAliveEnded(long lease) {
    if (lease != leaseId || state == State.CLOSED) {
      return;
    }
    LOG.info("the keepalive of lease {} of {} ended; asking etcd whether the lease still exists", hex(lease), key);
    closeKeepAlive();
    state = State.REGISTERING;
    attempt(); // asks etcd whether the lease lives before it grants another
  }

  /** Watches the key from {@code revision}: a deletion by someone else is undone. */
  private void watchOwnKey(long revision) {
    closeOwnKeyWatch();
    ownKeyWatch = client.getWatchClient().watch(bytes(key.asString()),
        WatchOption.builder().withRevision(revision).build(),
        Watch.listener(response -> onExecutor(() -> ownKeyChanged(response)),
            error -> onExecutor(this::ownKeyWatchFailed)));
  }

  private void ownKeyChanged(WatchResponse response) {
    if (state != State.REGISTERED) {
      return;
    }
    for (WatchEvent event : response.getEvents()) {
      if (event.getEventType() == WatchEvent.EventType.DELETE) {
        restore();
      } else if (event.getKeyValue().getLease() != leaseId) {
        LOG.info("{} was put under another lease ({}), by another instance of this endpoint; leaving it to it",
            key, hex(event.getKeyValue().getLease()));
      }
    }
  }

  /** Puts the key back if it is absent; a key someone else put meanwhile is left alone. */
  private void restore() {
    try {
      ByteSequence k = bytes(key.asString());
      boolean put = client.getKVClient().txn()
          .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)))
          .Then(Op.put(k, ByteSequence.from(value), PutOption.builder().withLeaseId(leaseId).build()))
          .commit().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).isSucceeded();
      if (put) {
        LOG.warn("{} was deleted by someone else while lease {} lives; put it back", key, hex(leaseId));
      }
      succeeded();
    } catch (Exception e) {
      if (EtcdErrors.isNotFound(e)) {
        state = State.REGISTERING; // the lease went with the key
      }
      failed("putting back " + key, e);
    }
  }

  /** The watch ended (a compaction, a cancel): read the key, restore it if needed, watch again. */
  private void ownKeyWatchFailed() {
    if (state != State.REGISTERED) {
      return;
    }
    try {
      var read = client.getKVClient().get(bytes(key.asString()), GetOption.DEFAULT)
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      watchOwnKey(read.getHeader().getRevision() + 1);
      if (read.getKvs().isEmpty()) {
        restore();
      }
    } catch (Exception e) {
      failed("watching " + key, e);
    }
  }

  private void succeeded() {
    backoff.reset();
    nudge.callSucceeded();
  }

  private void failed(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return;
    }
    if (state == State.CLOSED) {
      return;
    }
    nudge.callFailed();
    if (retryScheduled) {
      return;
    }
    retryScheduled = true;
    Duration delay = backoff.next();
    LOG.warn("{} failed, retrying in {} ms: {}", what, delay.toMillis(), e.toString());
    try {
      executor.schedule(() -> {
        retryScheduled = false;
        if (state == State.REGISTERED) {
          ownKeyWatchFailed();
        } else {
          attempt();
        }
      }, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      // Closed.
    }
  }

  /** From a jetcd thread, which must never block: over to ours. */
  private void onExecutor(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException closed) {
      // Closed.
    }
  }

  private void closeKeepAlive() {
    if (keepAlive != null) {
      keepAlive.close();
      keepAlive = null;
    }
  }

  private void closeOwnKeyWatch() {
    if (ownKeyWatch != null) {
      ownKeyWatch.close();
      ownKeyWatch = null;
    }
  }

  /**
   * Deregisters: revokes the lease, so that etcd deletes the key now if it is still bound to it.
   * A key another instance put under its own lease is not touched. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (state == State.CLOSED) {
        return;
      }
      boolean started = state != State.NEW;
      state = State.CLOSED;
      registered.completeExceptionally(new CancellationException("the registrar was closed"));
      if (!started) {
        return;
      }
    }
    try {
      executor.submit(() -> {
        closeOwnKeyWatch();
        closeKeepAlive();
        if (leaseId != 0) {
          try {
            client.getLeaseClient().revoke(leaseId).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("deregistered {}: lease {} revoked", key, hex(leaseId));
          } catch (Exception e) {
            if (!EtcdErrors.isNotFound(e)) {
              LOG.warn("deregistering {} failed; its lease ends within {} s: {}", key, ttl.toSeconds(), e.toString());
            }
          }
        }
      }).get(TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("closing the registrar of {}: {}", key, e.toString());
    } finally {
      executor.shutdownNow();
    }
  }

  private static String hex(long lease) {
    return Long.toHexString(lease);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, UTF_8);
  }
}
