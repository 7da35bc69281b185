package dev.registrar.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * At most one Event of each reason per registration per window (10 s in production). The first
 * change after a quiet window is told at once; the changes that follow within the window are
 * summed up in one Event when it ends, so a burst of readiness changes costs its status patches
 * and a handful of Events, and nothing is lost when the burst ends.
 */
public final class EventCoalescer implements AutoCloseable {

  public static final Duration WINDOW = Duration.ofSeconds(10);
  static final int NAMES_SHOWN = 5;

  private final EventSink events;
  private final Clock clock;
  private final Duration window;
  private final ScheduledExecutorService scheduler;
  private final Map<Slot, Pending> pending = new ConcurrentHashMap<>();

  private record Slot(ResourceID registration, String reason) {}

  /** What is waiting to be told for one slot. Guarded by itself. */
  private static final class Pending {
    HasMetadata resource;
    final List<String> names = new ArrayList<>();
    int count;
    Instant lastSent;
    ScheduledFuture<?> flush;
  }

  /** @param scheduler runs the Events at the end of a window; shut down by its owner */
  public EventCoalescer(EventSink events, Clock clock, Duration window, ScheduledExecutorService scheduler) {
    this.events = events;
    this.clock = clock;
    this.window = window;
    this.scheduler = scheduler;
  }

  /**
   * {@code names} changed for {@code resource}, under {@code reason}: told as "{reason} {n}
   * {noun}: a, b and 3 more".
   */
  void changed(HasMetadata resource, String reason, List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    Slot slot = new Slot(ResourceID.fromResource(resource), reason);
    Pending p = pending.computeIfAbsent(slot, s -> new Pending());
    synchronized (p) {
      p.resource = resource;
      for (String name : names) {
        if (p.names.size() < NAMES_SHOWN) {
          p.names.add(name);
        }
      }
      p.count += names.size();
      if (p.flush != null) {
        return; // told when the window ends
      }
      Instant now = clock.instant();
      Duration since = p.lastSent == null ? window : Duration.between(p.lastSent, now);
      if (!since.minus(window).isNegative()) {
        send(slot, p, now);
        return;
      }
      try {
        p.flush = scheduler.schedule(() -> flush(slot), window.minus(since).toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        send(slot, p, now); // shutting down: tell it now rather than never
      }
    }
  }

  private void flush(Slot slot) {
    Pending p = pending.get(slot);
    if (p != null) {
      sendNow(slot, p);
    }
  }

  /** Tells what the slot still owes, now, and ends its window's scheduled flush. */
  private void sendNow(Slot slot, Pending p) {
    synchronized (p) {
      if (p.flush != null) {
        p.flush.cancel(false);
        p.flush = null;
      }
      if (p.count > 0) {
        send(slot, p, clock.instant());
      }
    }
  }

  private void send(Slot slot, Pending p, Instant now) {
    int more = p.count - p.names.size();
    String noun = p.count == 1 ? " endpoint" : " endpoints";
    String message = slot.reason() + " " + p.count + noun + ": " + String.join(", ", p.names)
        + (more > 0 ? " and " + more + " more" : "");
    events.normal(p.resource, slot.reason(), message);
    p.names.clear();
    p.count = 0;
    p.lastSent = now;
  }

  /** The registration is gone: what is still waiting is told now, and its slots are dropped. */
  void forget(ResourceID registration) {
    for (Slot slot : List.copyOf(pending.keySet())) {
      if (slot.registration().equals(registration)) {
        sendNow(slot, pending.remove(slot));
      }
    }
  }

  /** Tells everything still waiting, so that a stopping operator loses no Event. */
  @Override
  public void close() {
    pending.forEach(this::sendNow);
  }
}
