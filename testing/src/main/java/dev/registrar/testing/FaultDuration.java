package dev.registrar.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How long a fault lasts (etcd down for 20 s, say) is part of a test's scenario, not a wait for a
 * condition: this is the one place where a test lets time pass on purpose, and says so.
 * Conditions are awaited with Awaitility, always.
 */
public final class FaultDuration {

  private FaultDuration() {}

  /** Returns once {@code length} has passed since {@code startedNanos} ({@link System#nanoTime()}). */
  public static void holdUntil(long startedNanos, Duration length) {
    long remaining = startedNanos + length.toNanos() - System.nanoTime();
    if (remaining > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(remaining);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted during a fault of " + length, e);
      }
    }
  }
}
