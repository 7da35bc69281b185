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
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Keeps the {@link RegistryView} of one prefix current (the client library's {@link PrefixWatch}:
 * Get, then Watch from revision + 1, rebuilt after compactions and errors). A change that this
 * process did not make is reported as the owners it concerns (before and after), so that their
 * registrations repair it; a rebuild reports the differences, so nothing is missed.
 */
public final class RegistryWatcher implements AutoCloseable, PrefixWatch.Handler {

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private final String prefix;
  private final RegistryView view;
  private final OwnWrites ownWrites;
  private final Consumer<RegistryChange> onForeignChange;
  private final RegistryCounters counters;
  private final PrefixWatch watch;

  // Touched only on the executor.
  private boolean loaded;

  /**
   * @param prefix ends in '/'
   * @param onForeignChange told of each change somebody else made, on the executor
   */
  public RegistryWatcher(Client client, String prefix, RegistryView view, OwnWrites ownWrites,
      Consumer<RegistryChange> onForeignChange, ScheduledExecutorService executor,
      RegistryCounters counters, Duration timeout) {
    this.prefix = prefix;
    this.view = view;
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
    Map<String, StoredKey> fresh = new HashMap<>();
    for (KeyValue kv : kvs) {
      fresh.put(kv.getKey().toString(UTF_8), storedOf(kv));
    }
    Map<String, StoredKey> held = view.replace(prefix, fresh);
    if (loaded) {
      counters.watchResyncs.incrementAndGet();
      Set<String> keys = new HashSet<>(held.keySet());
      keys.addAll(fresh.keySet());
      for (String key : keys) {
        StoredKey before = held.get(key);
        StoredKey after = fresh.get(key);
        if (before == null || after == null || before.modRevision() != after.modRevision()) {
          report(key, before, after, after != null ? after.modRevision() : revision);
        }
      }
    }
    loaded = true;
  }

  @Override
  public void stale(Throwable cause) {
    view.stale(prefix);
  }

  @Override
  public void events(List<WatchEvent> events) {
    for (WatchEvent event : events) {
      KeyValue kv = event.getKeyValue();
      String key = kv.getKey().toString(UTF_8);
      long revision = kv.getModRevision();
      if (event.getEventType() == WatchEvent.EventType.PUT) {
        StoredKey after = storedOf(kv);
        // Empty when not newer than what the view holds: a replay, or a commit of ours written through.
        view.watchedPut(key, after).ifPresent(before -> report(key, before.orElse(null), after, revision));
      } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
        view.watchedDelete(key, revision).ifPresent(before -> report(key, before.orElse(null), null, revision));
      }
    }
  }

  private void report(String key, StoredKey before, StoredKey after, long revision) {
    Set<EndpointValue.Owner> owners = new HashSet<>();
    Set<Long> leases = new HashSet<>();
    for (StoredKey stored : new StoredKey[] {before, after}) {
      if (stored != null) {
        Ownership.ownerOf(key, stored).ifPresent(owners::add);
        if (stored.lease() != 0) {
          leases.add(stored.lease());
        }
      }
    }
    RegistryChange change = new RegistryChange(key, owners, leases);
    ownWrites.ifForeign(revision, r -> onForeignChange.accept(change));
  }

  private static StoredKey storedOf(KeyValue kv) {
    return new StoredKey(kv.getValue().getBytes(), kv.getLease(), kv.getModRevision());
  }

  @Override
  public void close() {
    view.stale(prefix);
    watch.close();
  }
}
