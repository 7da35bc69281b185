package dev.registrar.operator.etcd;

import dev.registrar.client.internal.ConnectionNudge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The outage detector's rules, driven probe by probe with a test clock. */
class EtcdHealthTest {

  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  Instant now = T0;
  boolean answers = true;
  final List<Optional<EtcdHealth.Outage>> transitions = new ArrayList<>();
  final EtcdHealth health = new EtcdHealth(
      () -> answers ? CompletableFuture.completedFuture(null)
          : CompletableFuture.failedFuture(new java.io.IOException("connection refused")),
      ConnectionNudge.none(), new Clock() {
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
      });

  {
    health.onChange(transitions::add);
  }

  void probeAt(Duration sinceStart) {
    now = T0.plus(sinceStart);
    health.probeOnce();
  }

  @Test
  void failuresShorterThanTheGraceChangeNothing() {
    probeAt(Duration.ZERO);
    answers = false;
    probeAt(Duration.ofSeconds(1));
    probeAt(Duration.ofMillis(3900));
    assertThat(health.outage()).isEmpty();
    assertThat(health.failing()).isTrue();
    assertThat(health.problem()).isEmpty();
    answers = true;
    probeAt(Duration.ofSeconds(4));
    assertThat(transitions).isEmpty();
    assertThat(health.failing()).isFalse();
  }

  @Test
  void anOutageIsDeclaredOnceAfterTheGraceAndEndsAtTheFirstAnswer() {
    probeAt(Duration.ZERO);
    answers = false;
    probeAt(Duration.ofSeconds(1));
    probeAt(Duration.ofSeconds(2));
    probeAt(Duration.ofSeconds(4));
    probeAt(Duration.ofSeconds(5));
    probeAt(Duration.ofSeconds(6));
    EtcdHealth.Outage outage = new EtcdHealth.Outage(T0.plusSeconds(1), "connection refused");
    assertThat(health.outage()).contains(outage);
    assertThat(health.problem()).contains("etcd unreachable since 2026-11-30T10:00:01Z: connection refused");
    answers = true;
    probeAt(Duration.ofSeconds(7));
    assertThat(transitions).containsExactly(Optional.of(outage), Optional.empty());
    assertThat(health.outage()).isEmpty();
  }

  @Test
  void anEtcdThatNeverAnsweredIsDownAtOnce() {
    answers = false;
    probeAt(Duration.ZERO);
    assertThat(health.outage()).hasValueSatisfying(o -> assertThat(o.since()).isEqualTo(T0));
  }

  @Test
  void aProbeWithoutAnAnswerInTimeCountsAsAFailure() {
    probeAt(Duration.ZERO);
    EtcdHealth silent = new EtcdHealth(CompletableFuture::new, ConnectionNudge.none(), Clock.systemUTC());
    silent.probeOnce();
    assertThat(silent.outage()).hasValueSatisfying(o -> assertThat(o.cause()).isEqualTo("no answer within 1000 ms"));
  }

  @Test
  void aProbeLeftWithoutAnAnswerIsNotJoinedByMoreAndItsLateAnswerEndsTheOutage() {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    CompletableFuture<Object> pending = new CompletableFuture<>();
    EtcdHealth waiting = new EtcdHealth(() -> {
      calls.incrementAndGet();
      return pending;
    }, ConnectionNudge.none(), Clock.systemUTC());
    try {
      waiting.start();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> waiting.outage().isPresent());
      // While it is out, no second call piles up behind it (they would all reach etcd at once).
      org.awaitility.Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
          .until(() -> calls.get() == 1);
      pending.complete(null);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> waiting.outage().isEmpty());
    } finally {
      waiting.close();
    }
  }
}
