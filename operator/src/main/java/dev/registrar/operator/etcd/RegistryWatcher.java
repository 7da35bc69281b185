package dev.registrar.operator.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registrar.client.EndpointValue;
import dev.registrar.client.PrefixWatch;
import dev.registrar.operator.model.Ownership;
import dev.registrar.operator.model.StoredKey;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.watch.WatchEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Keeps a current view of everything under one prefix (the client library's {@link PrefixWatch}:
 * Get, then Watch from revision + 1, rebuilt after compactions and errors) in a local cache of
 * owners and ModRevisions. A change that this process did not make is reported as the owners it
 * concerns (before and after), so that their registrations repair it; a rebuild reports the
 * differences, so nothing is missed.
 */
public final class RegistryWatcher implements AutoCloseable, PrefixWatch.Handler {

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  /** What a watched key holds: who owns it, its lease, and at which revision it was last written. */
  private record Entry(Optional<EndpointValue.Owner> owner, long lease, long modRevision) {}

  private final OwnWrites ownWrites;
  private final Consumer<RegistryChange> onForeignChange;
  private final RegistryCounters counters;
  private final PrefixWatch watch;

  // Touched only on the executor.
  private final Map<String, Entry> cache = new HashMap<>();
  private boolean loaded;

  /**
   * @param prefix ends in '/'
   * @param onForeignChange told of each change somebody else made, on the executor
   */
  public RegistryWatcher(Client client, String prefix, OwnWrites ownWrites,
      Consumer<RegistryChange> onForeignChange, ScheduledExecutorService executor,
      RegistryCounters counters, Duration timeout) {
    this.ownWrites = ownWrites;
    this.onForeignChange = onForeignChange;
    this.counters = counters;
    this.watch = new PrefixWatch(client, prefix, executor, timeout, MAX_BACKOFF, this);
  }

  public void start() {
    watch.start();
  }

  @Override
  public void snapshot(List<KeyValue> kvs, long revision) {
    Map<String, Entry> fresh = new HashMap<>();
    for (KeyValue kv : kvs) {
      String key = kv.getKey().toString(UTF_8);
      fresh.put(key, entryOf(key, kv));
    }
    if (loaded) {
      counters.watchResyncs.incrementAndGet();
      Set<String> keys = new HashSet<>(cache.keySet());
      keys.addAll(fresh.keySet());
      for (String key : keys) {
        Entry before = cache.get(key);
        Entry after = fresh.get(key);
        if (before == null || after == null || before.modRevision() != after.modRevision()) {
          report(key, before, after, after != null ? after.modRevision() : revision);
        }
      }
    }
    cache.clear();
    cache.putAll(fresh);
    loaded = true;
  }

  @Override
  public void events(List<WatchEvent> events) {
    for (WatchEvent event : events) {
      KeyValue kv = event.getKeyValue();
      String key = kv.getKey().toString(UTF_8);
      Entry before = cache.get(key);
      long revision = kv.getModRevision();
      if (before != null && revision <= before.modRevision()) {
        continue; // not newer than what we hold: a replay
      }
      Entry after = null;
      if (event.getEventType() == WatchEvent.EventType.PUT) {
        after = entryOf(key, kv);
        cache.put(key, after);
      } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
        cache.remove(key);
      } else {
        continue;
      }
      report(key, before, after, revision);
    }
  }

  private void report(String key, Entry before, Entry after, long revision) {
    Set<EndpointValue.Owner> owners = new HashSet<>();
    Set<Long> leases = new HashSet<>();
    for (Entry entry : new Entry[] {before, after}) {
      if (entry != null) {
        entry.owner().ifPresent(owners::add);
        if (entry.lease() != 0) {
          leases.add(entry.lease());
        }
      }
    }
    RegistryChange change = new RegistryChange(key, owners, leases);
    ownWrites.ifForeign(revision, r -> onForeignChange.accept(change));
  }

  private static Entry entryOf(String key, KeyValue kv) {
    StoredKey stored = new StoredKey(kv.getValue().getBytes(), kv.getLease(), kv.getModRevision());
    return new Entry(Ownership.ownerOf(key, stored), kv.getLease(), kv.getModRevision());
  }

  @Override
  public void close() {
    watch.close();
  }
}
