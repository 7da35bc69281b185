package dev.registrar.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesUpToTheCapAndStartsOverAfterASuccess() {
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1));
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(400));
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(800));
    assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.peek()).isEqualTo(Duration.ofSeconds(1));
    backoff.reset();
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(200));
  }
}
