package dev.registrar.operator.etcd;

import dev.registrar.client.internal.ConnectionNudge;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one judgement of whether etcd answers, shared by {@code /readyz}, every registration's
 * Ready condition and the {@code registrar_etcd_up} gauge. It probes etcd with a cheap count-only
 * read on its own thread, every second; during an outage one probe stays out and answers the
 * moment etcd does, while gRPC is asked to reconnect every quarter second. etcd is declared down once probes have failed for {@link #GRACE} without a break (so a
 * blip such as an etcd leader election changes nothing), or at once if it never answered since
 * the start, and up again at the first probe that succeeds. Listeners hear of each transition
 * once.
 */
public final class EtcdHealth implements Availability, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EtcdHealth.class);

  /** How long probes must fail without a break before etcd is declared down. */
  public static final Duration GRACE = Duration.ofSeconds(3);
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
  static final Duration PERIOD_UP = Duration.ofSeconds(1);
  static final Duration PERIOD_FAILING = Duration.ofMillis(250);

  /**
   * etcd has not answered since {@code since}.
   *
   * @param since when the first probe of this outage was sent
   * @param cause why the last probe failed, in words for whoever is on call
   */

  /** Answers a probe: completes normally when etcd answered. */
  public interface Probe {
    CompletableFuture<?> call();
  }

  private final Probe probe;
  private final ConnectionNudge nudge;
  private final Clock clock;
  private final List<Consumer<Optional<Outage>>> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler;
  private volatile Optional<Outage> outage = Optional.empty();
  private volatile boolean checked;
  private volatile Instant failingSince;
  private volatile String lastCause = "etcd not checked yet";
  // Touched only on the scheduler's thread.
  private boolean everAnswered;
  private Instant lastRecorded;
  private CompletableFuture<?> outstanding;

  public EtcdHealth(Client client, String prefix, ConnectionNudge nudge, Clock clock) {
    this(() -> client.getKVClient().get(ByteSequence.from(prefix, UTF_8),
        GetOption.builder().isPrefix(true).withCountOnly(true).build()), nudge, clock);
  }

  EtcdHealth(Probe probe, ConnectionNudge nudge, Clock clock) {
    this.probe = probe;
    this.nudge = nudge;
    this.clock = clock;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "registrar-etcd-health");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Told of every transition, on the probe thread: must not block. Empty means etcd is up. */
  public void onChange(Consumer<Optional<Outage>> listener) {
    listeners.add(listener);
  }

  /** Probes once now and waits for the answer: empty when etcd answered, otherwise why not. */
  public Optional<String> checkNow() {
    try {
      scheduler.submit(this::probeOnce).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      LOG.debug("etcd probe failed", e);
    }
    return checked && failingSince == null ? Optional.empty() : Optional.of(lastCause);
  }

  /** Keeps probing in the background. */
  public void start() {
    scheduler.schedule(this::loop, nextDelay().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void loop() {
    probeInBackground();
    if (!scheduler.isShutdown()) {
      scheduler.schedule(this::loop, nextDelay().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private Duration nextDelay() {
    return failingSince == null ? PERIOD_UP : PERIOD_FAILING;
  }

  /**
   * A probe that does not hold the probe thread. jetcd's calls wait for a connection, so one
   * probe left out during an outage completes the moment etcd answers again; no second one is
   * sent while it is out (a pile of waiting calls would hit etcd all at once on its return). Its
   * first second without an answer counts as a failure; while it stays out, the outage clock runs.
   */
  private void probeInBackground() {
    if (failingSince != null) {
      nudge.callFailed(); // reconnect now rather than after gRPC's backoff
    }
    if (outstanding != null && !outstanding.isDone()) {
      if (failingSince != null) {
        failed(failingSince, lastCause);
      }
      return;
    }
    Instant sent = clock.instant();
    CompletableFuture<?> call = probe.call();
    outstanding = call;
    call.whenComplete((ok, error) -> onProbeThread(() -> record(sent, error)));
    scheduler.schedule(() -> {
      if (!call.isDone()) {
        record(sent, new java.util.concurrent.TimeoutException());
      }
    }, PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void onProbeThread(Runnable task) {
    try {
      scheduler.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  /** One probe, waited for; for the first check and for unit tests. */
  void probeOnce() {
    Instant sent = clock.instant();
    CompletableFuture<?> call = probe.call();
    Throwable error = null;
    try {
      call.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      call.cancel(true);
      error = e;
    }
    record(sent, error);
  }

  /** A probe's answer, on the probe thread. An answer older than the last one recorded says nothing new. */
  private void record(Instant sent, Throwable error) {
    if (lastRecorded != null && sent.isBefore(lastRecorded)) {
      return;
    }
    lastRecorded = sent;
    checked = true;
    if (error == null) {
      nudge.callSucceeded();
      answered();
      return;
    }
    // Every failed probe also asks gRPC to reconnect now rather than after its backoff.
    nudge.callFailed();
    Throwable cause = (error instanceof java.util.concurrent.ExecutionException
        || error instanceof java.util.concurrent.CompletionException) && error.getCause() != null ? error.getCause() : error;
    failed(sent, cause instanceof java.util.concurrent.TimeoutException
        ? "no answer within " + PROBE_TIMEOUT.toMillis() + " ms" : EtcdRegistry.describe(cause));
  }

  private void answered() {
    everAnswered = true;
    failingSince = null;
    lastCause = null;
    if (outage.isPresent()) {
      Outage ended = outage.get();
      outage = Optional.empty();
      LOG.info("etcd answers again, after {} s without", Duration.between(ended.since(), clock.instant()).toSeconds());
      notifyListeners();
    }
  }

  private void failed(Instant sent, String cause) {
    lastCause = cause;
    if (failingSince == null) {
      failingSince = sent;
      LOG.debug("etcd probe failed: {}", cause);
    }
    // No grace before the first answer: there is no blip to ride out, etcd was never there.
    if (outage.isEmpty() && (!everAnswered || !clock.instant().isBefore(failingSince.plus(GRACE)))) {
      outage = Optional.of(new Outage(failingSince, cause));
      if (everAnswered) {
        LOG.warn("etcd unreachable since {}: {}", failingSince, cause);
      } else {
        LOG.debug("etcd unreachable since the start: {}", cause); // the operator's start says so
      }
      notifyListeners();
    }
  }

  private void notifyListeners() {
    Optional<Outage> now = outage;
    for (Consumer<Optional<Outage>> listener : listeners) {
      try {
        listener.accept(now);
      } catch (RuntimeException e) {
        LOG.warn("an etcd health listener failed", e);
      }
    }
  }

  /** The outage now, if etcd is down. */
  public Optional<Outage> outage() {
    return outage;
  }

  /** Whether probes are failing now, even if not yet for long enough to call it an outage. */
  public boolean failing() {
    return !checked || failingSince != null;
  }

  /** Empty when etcd answers (or failed only for less than the grace); otherwise why not. */
  public Optional<String> problem() {
    if (!checked) {
      return Optional.of("etcd not checked yet");
    }
    return outage.map(o -> "etcd unreachable since " + o.since() + ": " + o.cause());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
