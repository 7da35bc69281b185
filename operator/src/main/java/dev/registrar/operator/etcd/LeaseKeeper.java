package dev.registrar.operator.etcd;

import dev.registrar.client.internal.KeepAliveObserver;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.support.CloseableClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the process's leases alive with jetcd keepalive streams. jetcd calls the observers on
 * Vert.x event-loop threads, so they only record what happened; anything more is handed to our
 * own executor.
 */
public final class LeaseKeeper implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

  /** What this process knows of a lease. */
  public enum State {
    /** Renewed by this process. */
    KEPT,
    /** etcd said it is gone (keepalive completed, or NOT_FOUND): a new lease is needed. */
    LOST,
    /** Not kept by this process: ask etcd. */
    UNKNOWN
  }

  private final Client client;
  private final Executor executor;
  private final RegistryCounters counters;
  private final Map<Long, Kept> leases = new ConcurrentHashMap<>();

  /** @param executor runs the lost-lease callbacks, never a jetcd thread */
  public LeaseKeeper(Client client, Executor executor, RegistryCounters counters) {
    this.client = client;
    this.executor = executor;
    this.counters = counters;
  }

  /**
   * Starts renewing the lease, once; a lease kept already is left as it is.
   *
   * @param onLost run on our executor when etcd says the lease is gone
   */
  public void keep(long leaseId, long ttlSeconds, Runnable onLost) {
    leases.computeIfAbsent(leaseId, id -> {
      Kept kept = new Kept(ttlSeconds, onLost);
      kept.stream = client.getLeaseClient().keepAlive(id, kept.observer(id));
      return kept;
    });
  }

  /** Stops renewing the lease (it was revoked or replaced). */
  public void release(long leaseId) {
    Kept kept = leases.remove(leaseId);
    if (kept != null && kept.stream != null) {
      kept.stream.close();
    }
  }

  public State state(long leaseId) {
    Kept kept = leases.get(leaseId);
    if (kept == null) {
      return State.UNKNOWN;
    }
    return kept.lost ? State.LOST : State.KEPT;
  }

  /** The TTL the lease was granted with, when it is kept here. */
  public long ttl(long leaseId) {
    Kept kept = leases.get(leaseId);
    return kept == null ? -1 : kept.ttlSeconds;
  }

  /** Leases are not revoked here: stopping the operator must not remove registrations. */
  @Override
  public void close() {
    leases.keySet().forEach(this::release);
  }

  private final class Kept {
    final long ttlSeconds;
    final Runnable onLost;
    volatile CloseableClient stream;
    volatile boolean lost;

    Kept(long ttlSeconds, Runnable onLost) {
      this.ttlSeconds = ttlSeconds;
      this.onLost = onLost;
    }

    KeepAliveObserver observer(long id) {
      return new KeepAliveObserver(() -> { }, error -> {
        counters.keepaliveErrors.incrementAndGet();
        LOG.debug("keepalive of lease {} failed, jetcd retries: {}", Long.toHexString(id), error.toString());
      }, () -> markLost(id));
    }

    private void markLost(long id) {
      // A released lease was revoked or replaced on purpose: its end is no news.
      if (!lost && leases.get(id) == this) {
        lost = true;
        try {
          executor.execute(() -> {
            LOG.warn("lease {} is gone from etcd", Long.toHexString(id));
            onLost.run();
          });
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // Shutting down: nobody to tell.
        }
      }
    }
  }
}
