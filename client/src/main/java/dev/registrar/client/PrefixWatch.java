package dev.registrar.client;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registrar.client.internal.Backoff;

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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Get-then-Watch loop under one prefix, done once for every reader of the registry: a full
 * Get, a Watch from the Get's revision + 1, and after a compaction, a watch error or a failed read,
 * the same again with capped backoff, forever. jetcd calls back on Vert.x event-loop threads; every
 * {@link Handler} call happens on the caller's single-threaded executor instead, in order.
 */
public final class PrefixWatch implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PrefixWatch.class);

  /** Told what is under the prefix; called on the executor only. */
  public interface Handler {
    /** Everything under the prefix at {@code revision}: the first read, or a rebuild. */
    void snapshot(List<KeyValue> kvs, long revision);

    /** Changes since, sorted by ModRevision. */
    void events(List<WatchEvent> events);

    /** The view may be out of date: a read failed or the watch ended. A rebuild follows. */
    default void stale(Throwable cause) {}
  }

  private final Client client;
  private final String prefix;
  private final ScheduledExecutorService executor;
  private final Duration timeout;
  private final Handler handler;

  // Touched only on the executor.
  private Watch.Watcher watcher;
  private long generation;
  private final Backoff backoff;
  private volatile boolean closed;

  /** @param prefix ends in '/'; @param executor single-threaded, the caller's */
  public PrefixWatch(Client client, String prefix, ScheduledExecutorService executor, Duration timeout,
      Duration maxBackoff, Handler handler) {
    if (!prefix.endsWith("/")) {
      throw new IllegalArgumentException("watched prefixes must end in '/': " + prefix);
    }
    this.client = client;
    this.prefix = prefix;
    this.executor = executor;
    this.timeout = timeout;
    this.backoff = new Backoff(Duration.ofMillis(100), maxBackoff);
    this.handler = handler;
  }

  public void start() {
    submit(this::resync);
  }

  /** Reads everything again and watches from there. Call on the executor. */
  public void resync() {
    if (closed) {
      return;
    }
    closeWatcher();
    long since = ++generation;
    GetResponse response;
    try {
      response = client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build())
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.debug("reading {} failed, retrying in {}: {}", prefix, backoff.peek(), e.toString());
      handler.stale(e);
      retryLater();
      return;
    }
    backoff.reset();
    long revision = response.getHeader().getRevision();
    handler.snapshot(response.getKvs(), revision);
    watcher = client.getWatchClient().watch(bytes(prefix),
        WatchOption.builder().isPrefix(true).withRevision(revision + 1).build(),
        Watch.listener(
            r -> submit(() -> apply(since, r)),
            error -> submit(() -> failed(since, error)),
            () -> submit(() -> failed(since, null))));
  }

  /** Whether a watch is established (executor only). */
  public boolean isWatching() {
    return watcher != null;
  }

  private void apply(long since, WatchResponse response) {
    if (since != generation || closed) {
      return; // an event of a watch already replaced
    }
    handler.events(response.getEvents().stream()
        .sorted(Comparator.comparingLong(e -> e.getKeyValue().getModRevision())).toList());
  }

  private void failed(long since, Throwable error) {
    if (since != generation || closed) {
      return;
    }
    // Compaction, no leader, or the stream ended: rebuild the view instead of trusting it.
    LOG.info("watch of {} ended ({}); reading it again", prefix, error == null ? "completed" : error.getMessage());
    closeWatcher();
    handler.stale(error);
    retryLater();
  }

  private void retryLater() {
    if (closed) {
      return;
    }
    try {
      executor.schedule(this::resync, backoff.next().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

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

  private void closeWatcher() {
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
  }

  /** Stops reporting; the watch ends on the executor's next turn, or with the client. */
  @Override
  public void close() {
    closed = true;
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
