package dev.registrar.client.internal;

import java.time.Duration;

/** Retry delays that double from {@code first} up to {@code max}, and start over after a success. Not thread-safe. */
public final class Backoff {

  private final Duration first;
  private final Duration max;
  private Duration next;

  public Backoff(Duration first, Duration max) {
    this.first = first;
    this.max = max;
    this.next = first;
  }

  /** The delay before the next attempt; the one after is twice as long, up to the cap. */
  public Duration next() {
    Duration delay = next;
    Duration doubled = next.multipliedBy(2);
    next = doubled.compareTo(max) > 0 ? max : doubled;
    return delay;
  }

  /** The delay {@link #next} would return, without using it. */
  public Duration peek() {
    return next;
  }

  /** It worked: the next failure waits {@code first} again. */
  public void reset() {
    next = first;
  }
}
