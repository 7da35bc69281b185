package dev.registrar.operator.store;

import dev.registrar.operator.etcd.ConcurrentChangeException;
import dev.registrar.operator.etcd.EtcdUnavailableException;
import dev.registrar.operator.etcd.LeaseNotFoundException;
import dev.registrar.operator.model.Plan;
import dev.registrar.operator.model.StoredKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The store in memory, with etcd's rules where the reconciler depends on them: a revision counter
 * (every write gets the next one, a key's ModRevision is its last write's), all-or-nothing
 * transactions that compare ModRevisions (version 0 for "absent"), and leases that expire on a
 * test clock unless kept alive, taking their keys with them.
 *
 * <p>Tests play the other writers: {@link #foreignPut}, {@link #foreignDelete}, {@link #loseLease},
 * and {@link #beforeNextApply} to change a key between a reconcile's observe and its write.
 */
public final class InMemoryRegistrationStore implements RegistrationStore {

  /** A clock the test moves. */
  public static final class TestClock extends Clock {
    private Instant now = Instant.parse("2026-11-30T12:00:00Z");

    public void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private record Lease(long ttlSeconds, Instant expires) {}

  private static final class Kept {
    final long ttlSeconds;
    final Runnable onLost;
    boolean lost;

    Kept(long ttlSeconds, Runnable onLost) {
      this.ttlSeconds = ttlSeconds;
      this.onLost = onLost;
    }
  }

  private final TestClock clock;
  private final NavigableMap<String, StoredKey> keys = new TreeMap<>();
  private final Map<Long, Lease> leases = new HashMap<>();
  private final Map<Long, Kept> kept = new HashMap<>();
  private final List<Runnable> beforeApply = new ArrayList<>();
  private long revision = 1;
  private long nextLease = 0x7a00;
  private int transactions;
  private int failedCompares;
  private int rereads;
  private boolean unavailable;

  public InMemoryRegistrationStore(TestClock clock) {
    this.clock = clock;
  }

  // --- the port ---

  @Override
  public synchronized Map<String, StoredKey> observe(Scope scope) {
    check();
    Map<String, StoredKey> found = new TreeMap<>(keys.subMap(scope.servicePath(), true,
        scope.servicePath() + Character.MAX_VALUE, false));
    if (keys.containsKey(scope.claimKey())) {
      found.put(scope.claimKey(), keys.get(scope.claimKey()));
    }
    found.putAll(keys.subMap(scope.membersPath(), true, scope.membersPath() + Character.MAX_VALUE, false));
    keys.forEach((key, stored) -> {
      if (stored.lease() != 0 && scope.leases().contains(stored.lease())) {
        found.put(key, stored);
      }
    });
    return found;
  }

  @Override
  public synchronized Map<String, StoredKey> reread(Scope scope) {
    rereads++;
    return observe(scope);
  }

  @Override
  public void apply(Plan plan, long leaseId) {
    List<Runnable> hooks;
    synchronized (this) {
      hooks = List.copyOf(beforeApply);
      beforeApply.clear();
    }
    hooks.forEach(Runnable::run); // another writer, between the observe and this write
    synchronized (this) {
      check();
      if (!plan.puts().isEmpty() && leaseId != 0 && !leases.containsKey(leaseId)) {
        throw new LeaseNotFoundException(leaseId, null);
      }
      for (Plan.Put put : plan.puts()) {
        if (!as(put.key(), put.expectedModRevision())) {
          failedCompares++;
          throw new ConcurrentChangeException("keys changed since they were read");
        }
      }
      for (Plan.Delete delete : plan.deletes()) {
        if (!as(delete.key(), delete.expectedModRevision())) {
          failedCompares++;
          throw new ConcurrentChangeException("keys changed since they were read");
        }
      }
      revision++;
      plan.puts().forEach(put -> keys.put(put.key(), new StoredKey(put.value(), put.leased() ? leaseId : 0, revision)));
      plan.deletes().forEach(delete -> keys.remove(delete.key()));
      transactions++;
    }
  }

  private boolean as(String key, long expectedModRevision) {
    StoredKey current = keys.get(key);
    return expectedModRevision == 0 ? current == null : current != null && current.modRevision() == expectedModRevision;
  }

  @Override
  public synchronized long grantLease(long ttlSeconds) {
    check();
    long id = nextLease++;
    leases.put(id, new Lease(ttlSeconds, clock.instant().plusSeconds(ttlSeconds)));
    return id;
  }

  @Override
  public synchronized OptionalLong grantedTtl(long leaseId) {
    check();
    Lease lease = leases.get(leaseId);
    return lease == null ? OptionalLong.empty() : OptionalLong.of(lease.ttlSeconds());
  }

  @Override
  public synchronized void revokeLease(long leaseId) {
    check();
    if (leases.remove(leaseId) != null) {
      revision++;
      keys.values().removeIf(stored -> stored.lease() == leaseId);
    }
  }

  @Override
  public synchronized void keepAlive(long leaseId, long ttlSeconds, Runnable onLost) {
    kept.putIfAbsent(leaseId, new Kept(ttlSeconds, onLost));
  }

  @Override
  public synchronized void stopKeepingAlive(long leaseId) {
    kept.remove(leaseId);
  }

  @Override
  public synchronized KeepAlive keepAliveOf(long leaseId) {
    Kept k = kept.get(leaseId);
    if (k == null) {
      return KeepAlive.NONE;
    }
    return new KeepAlive(k.lost ? KeepAlive.State.LOST : KeepAlive.State.KEPT, k.ttlSeconds);
  }

  /** Renews the kept leases, expires the others whose time is up, as etcd does. */
  private void check() {
    if (unavailable) {
      throw new EtcdUnavailableException("etcd is down (test)", null);
    }
    Instant now = clock.instant();
    for (var it = leases.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      Kept k = kept.get(entry.getKey());
      if (k != null && !k.lost) {
        entry.setValue(new Lease(entry.getValue().ttlSeconds(), now.plusSeconds(entry.getValue().ttlSeconds())));
      } else if (!entry.getValue().expires().isAfter(now)) {
        long id = entry.getKey();
        it.remove();
        revision++;
        keys.values().removeIf(stored -> stored.lease() == id);
      }
    }
  }

  // --- what tests do and look at ---

  /** Somebody else writes a key. */
  public synchronized void foreignPut(String key, byte[] value, long leaseId) {
    revision++;
    keys.put(key, new StoredKey(value, leaseId, revision));
  }

  public synchronized void foreignDelete(String key) {
    revision++;
    keys.remove(key);
  }

  /** A lease of somebody else's, as etcd would grant it. */
  public synchronized long foreignLease(long ttlSeconds) {
    return grantLease(ttlSeconds);
  }

  /** etcd drops the lease (revoked behind our back, or expired during a partition): its keys go. */
  public void loseLease(long leaseId) {
    Runnable onLost = null;
    synchronized (this) {
      leases.remove(leaseId);
      revision++;
      keys.values().removeIf(stored -> stored.lease() == leaseId);
      Kept k = kept.get(leaseId);
      if (k != null && !k.lost) {
        k.lost = true;
        onLost = k.onLost;
      }
    }
    if (onLost != null) {
      onLost.run();
    }
  }

  /** Runs once, inside the next apply, before it compares. */
  public synchronized void beforeNextApply(Runnable otherWriter) {
    beforeApply.add(otherWriter);
  }

  public synchronized void unavailable(boolean unavailable) {
    this.unavailable = unavailable;
  }

  public synchronized Map<String, StoredKey> keys(String prefix) {
    return new TreeMap<>(keys.subMap(prefix, true, prefix + Character.MAX_VALUE, false));
  }

  public synchronized OptionalLong ttlOf(long leaseId) {
    Lease lease = leases.get(leaseId);
    return lease == null ? OptionalLong.empty() : OptionalLong.of(lease.ttlSeconds());
  }

  public synchronized boolean hasLease(long leaseId) {
    return leases.containsKey(leaseId);
  }

  public synchronized int transactions() {
    return transactions;
  }

  public synchronized int failedCompares() {
    return failedCompares;
  }

  public synchronized int rereads() {
    return rereads;
  }
}
