package dev.registrar.operator.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registrar.client.EndpointValue;
import dev.registrar.operator.model.Ownership;
import dev.registrar.operator.model.StoredKey;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a current view of everything under one prefix: a full Get, then a Watch from the Get's
 * revision + 1, events applied in ModRevision order to a local cache. A change that this process
 * did not make is reported as the owners it concerns (the owner before and after), so that their
 * registrations repair it. After a compaction or any watch error the view is rebuilt by Get +
 * Watch, and the differences are reported: nothing is missed.
 *
 * <p>jetcd calls the listener on Vert.x event-loop threads; all work happens on our own
 * single-threaded executor, which also makes the cache single-writer.
 */
public final class RegistryWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryWatcher.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  /** What a watched key holds: who owns it, and at which revision it was last written. */
  private record Entry(Optional<EndpointValue.Owner> owner, long modRevision) {}

  private final Client client;
  private final String prefix;
  private final OwnWrites ownWrites;
  private final Consumer<EndpointValue.Owner> onForeignChange;
  private final ScheduledExecutorService executor;
  private final RegistryCounters counters;
  private final Duration timeout;

  // Touched only on the executor.
  private final Map<String, Entry> cache = new HashMap<>();
  private boolean loaded;
  private Watch.Watcher watcher;
  private long generation;
  private Duration backoff = Duration.ofMillis(100);
  private volatile boolean closed;

  /**
   * @param prefix ends in '/'
   * @param onForeignChange told each owner whose keys somebody else changed, on the executor
   */
  public RegistryWatcher(Client client, String prefix, OwnWrites ownWrites,
      Consumer<EndpointValue.Owner> onForeignChange, ScheduledExecutorService executor,
      RegistryCounters counters, Duration timeout) {
    if (!prefix.endsWith("/")) {
      throw new IllegalArgumentException("watched prefixes must end in '/': " + prefix);
    }
    this.client = client;
    this.prefix = prefix;
    this.ownWrites = ownWrites;
    this.onForeignChange = onForeignChange;
    this.executor = executor;
    this.counters = counters;
    this.timeout = timeout;
  }

  public void start() {
    executor.execute(this::resync);
  }

  /** Get the prefix, report what changed since the last view, and watch from there. */
  private void resync() {
    if (closed) {
      return;
    }
    closeWatcher();
    long since = ++generation;
    GetResponse response;
    try {
      response = client.getKVClient()
          .get(bytes(prefix), GetOption.builder().isPrefix(true).build())
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.debug("reading {} failed, retrying in {}: {}", prefix, backoff, e.toString());
      retryLater();
      return;
    }
    backoff = Duration.ofMillis(100);
    Map<String, Entry> fresh = new HashMap<>();
    for (KeyValue kv : response.getKvs()) {
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
        long revision = after != null ? after.modRevision() : response.getHeader().getRevision();
        if (before == null || after == null || before.modRevision() != after.modRevision()) {
          report(before, after, revision);
        }
      }
    }
    cache.clear();
    cache.putAll(fresh);
    loaded = true;
    long from = response.getHeader().getRevision() + 1;
    watcher = client.getWatchClient().watch(bytes(prefix),
        WatchOption.builder().isPrefix(true).withRevision(from).build(),
        Watch.listener(
            watchResponse -> submit(() -> apply(since, watchResponse)),
            error -> submit(() -> failed(since, error)),
            () -> submit(() -> failed(since, null))));
    LOG.debug("watching {} from revision {} ({} keys)", prefix, from, cache.size());
  }

  private void apply(long since, WatchResponse response) {
    if (since != generation || closed) {
      return; // an event of a watch we already replaced
    }
    List<WatchEvent> events = response.getEvents().stream()
        .sorted(java.util.Comparator.comparingLong(e -> e.getKeyValue().getModRevision()))
        .toList();
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
      report(before, after, revision);
    }
  }

  private void report(Entry before, Entry after, long revision) {
    if (ownWrites.contains(revision)) {
      return;
    }
    Set<EndpointValue.Owner> owners = new HashSet<>();
    if (before != null) {
      before.owner().ifPresent(owners::add);
    }
    if (after != null) {
      after.owner().ifPresent(owners::add);
    }
    owners.forEach(onForeignChange);
  }

  private void failed(long since, Throwable error) {
    if (since != generation || closed) {
      return;
    }
    // Compaction, no leader, or the stream ended: rebuild the view instead of trusting it.
    LOG.info("watch of {} ended ({}); reading it again", prefix, error == null ? "completed" : error.getMessage());
    closeWatcher();
    retryLater();
  }

  /** Hands work from a jetcd thread to ours; after close there is nothing left to do. */
  private void submit(Runnable task) {
    if (closed) {
      return;
    }
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      // Shutting down.
    }
  }

  private void retryLater() {
    if (closed) {
      return;
    }
    try {
      executor.schedule(this::resync, backoff.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return; // shutting down
    }
    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
  }

  private Entry entryOf(String key, KeyValue kv) {
    StoredKey stored = new StoredKey(kv.getValue().getBytes(), kv.getLease(), kv.getModRevision());
    return new Entry(Ownership.ownerOf(key, stored), kv.getModRevision());
  }

  private void closeWatcher() {
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
  }

  /** Stops reporting; the watch itself ends with the executor's next turn or with the client. */
  @Override
  public void close() {
    closed = true;
    submitClose();
  }

  private void submitClose() {
    try {
      executor.execute(this::closeWatcher);
    } catch (RejectedExecutionException e) {
      // Already shut down: closing the client ends the watch.
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, UTF_8);
  }
}
