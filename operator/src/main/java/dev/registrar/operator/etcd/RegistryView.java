package dev.registrar.operator.etcd;

import dev.registrar.operator.model.StoredKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What etcd holds under the watched prefixes (the registry, the claims): fed by the watches and
 * by this process's own commits, so that a reconcile plans from memory instead of reading etcd.
 *
 * <p>A commit is written through at once: the watch reports it a few milliseconds later, and a
 * reconcile in between would otherwise plan from the key as it was. The watch never takes the
 * view back: an event is applied only when it is newer than what the view holds, and a key this
 * process deleted stays deleted (a tombstone) until the watch reports that delete.
 *
 * <p>The view may still be behind somebody else's write. Every write compares the ModRevision
 * it planned from, so a stale view costs a failed compare and a fresh read, never a lost key.
 */
public final class RegistryView {

  // All guarded by this.
  private final NavigableMap<String, StoredKey> keys = new TreeMap<>();
  private final Map<Long, Set<String>> keysByLease = new HashMap<>();
  // Keys this process deleted, at the revision of the delete, until the watch reports it.
  private final Map<String, Long> tombstones = new HashMap<>();
  private final Set<String> livePrefixes = new HashSet<>();

  /** Whether every one of {@code prefixes} is loaded and its watch is running. */
  public synchronized boolean covers(String... prefixes) {
    for (String prefix : prefixes) {
      if (!livePrefixes.contains(prefix)) {
        return false;
      }
    }
    return true;
  }

  public synchronized Optional<StoredKey> get(String key) {
    return Optional.ofNullable(keys.get(key));
  }

  /** Every key under {@code path}, which ends in '/'. */
  public synchronized Map<String, StoredKey> under(String path) {
    return new TreeMap<>(keys.subMap(path, true, path + Character.MAX_VALUE, false));
  }

  /** Every key bound to one of {@code leases}. */
  public synchronized Map<String, StoredKey> onLeases(Set<Long> leases) {
    Map<String, StoredKey> found = new TreeMap<>();
    for (long lease : leases) {
      for (String key : keysByLease.getOrDefault(lease, Set.of())) {
        found.put(key, keys.get(key));
      }
    }
    return found;
  }

  /** A fresh read of everything under {@code prefix}, at one revision: replaces what was held. */
  synchronized Map<String, StoredKey> replace(String prefix, Map<String, StoredKey> snapshot) {
    Map<String, StoredKey> before = under(prefix);
    before.keySet().forEach(this::drop);
    tombstones.keySet().removeIf(key -> key.startsWith(prefix));
    snapshot.forEach(this::store);
    livePrefixes.add(prefix);
    return before;
  }

  /** The watch of {@code prefix} ended or failed; a fresh read follows. */
  synchronized void stale(String prefix) {
    livePrefixes.remove(prefix);
  }

  /**
   * A put the watch reported.
   *
   * @return what the view held before, or empty if the event is not newer than what it holds
   */
  synchronized Optional<Optional<StoredKey>> watchedPut(String key, StoredKey value) {
    StoredKey held = keys.get(key);
    Long deletedAt = tombstones.get(key);
    if ((held != null && held.modRevision() >= value.modRevision())
        || (deletedAt != null && deletedAt >= value.modRevision())) {
      return Optional.empty();
    }
    store(key, value);
    return Optional.of(Optional.ofNullable(held));
  }

  /**
   * A delete the watch reported, at {@code revision}.
   *
   * @return what the view held before, or empty if the event is not newer than what it holds
   */
  synchronized Optional<Optional<StoredKey>> watchedDelete(String key, long revision) {
    Long deletedAt = tombstones.get(key);
    if (deletedAt != null && deletedAt >= revision) {
      if (deletedAt == revision) {
        tombstones.remove(key); // our own delete, reported: nothing older can come any more
      }
      return Optional.empty();
    }
    StoredKey held = keys.get(key);
    if (held != null && held.modRevision() >= revision) {
      return Optional.empty();
    }
    drop(key);
    return Optional.of(Optional.ofNullable(held));
  }

  /** This process committed {@code puts} (under {@code lease}) and {@code deletes} at {@code revision}. */
  synchronized void committed(Map<String, byte[]> puts, Set<String> deletes, long lease, long revision) {
    puts.forEach((key, value) -> {
      tombstones.remove(key);
      store(key, new StoredKey(value, lease, revision));
    });
    for (String key : deletes) {
      drop(key);
      tombstones.put(key, revision);
    }
  }

  /** This process revoked {@code lease} at {@code revision}: etcd deleted every key bound to it. */
  synchronized void revoked(long lease, long revision) {
    for (String key : Set.copyOf(keysByLease.getOrDefault(lease, Set.of()))) {
      drop(key);
      tombstones.put(key, revision);
    }
  }

  private void store(String key, StoredKey value) {
    drop(key);
    keys.put(key, value);
    if (value.lease() != 0) {
      keysByLease.computeIfAbsent(value.lease(), l -> new HashSet<>()).add(key);
    }
  }

  private void drop(String key) {
    StoredKey held = keys.remove(key);
    if (held != null && held.lease() != 0) {
      Set<String> bound = keysByLease.get(held.lease());
      if (bound != null) {
        bound.remove(key);
        if (bound.isEmpty()) {
          keysByLease.remove(held.lease());
        }
      }
    }
  }
}
