package dev.registrar.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.ServiceRegistration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventCoalescerTest {

  final List<String> events = new CopyOnWriteArrayList<>();
  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  final EventSink sink = new EventSink() {
    @Override
    public void normal(HasMetadata resource, String reason, String message) {
      events.add(message);
    }

    @Override
    public void warning(HasMetadata resource, String reason, String message) {
      events.add("warning " + message);
    }
  };

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  static ServiceRegistration registration(String name) {
    ServiceRegistration registration = new ServiceRegistration();
    registration.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName(name).build());
    return registration;
  }

  @Test
  void theFirstChangeIsToldAtOnceAndABurstIsSummedUpOnceWhenTheWindowEnds() {
    EventCoalescer coalescer = new EventCoalescer(sink, Clock.systemUTC(), Duration.ofMillis(400), scheduler);
    ServiceRegistration orders = registration("orders");

    coalescer.changed(orders, "Registered", List.of("a"));
    assertThat(events).containsExactly("Registered 1 endpoint: a");
    for (String name : List.of("b", "c", "d", "e", "f", "g", "h")) {
      coalescer.changed(orders, "Registered", List.of(name));
    }
    coalescer.changed(orders, "Deregistered", List.of("x"));
    // Another reason has its own window: told at once.
    assertThat(events).containsExactly("Registered 1 endpoint: a", "Deregistered 1 endpoint: x");

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events).hasSize(3));
    assertThat(events.get(2)).isEqualTo("Registered 7 endpoints: b, c, d, e, f and 2 more");
  }

  @Test
  void whatIsWaitingIsToldWhenTheRegistrationGoesOrTheOperatorStops() {
    EventCoalescer coalescer = new EventCoalescer(sink, Clock.systemUTC(), Duration.ofHours(1), scheduler);
    coalescer.changed(registration("a"), "Registered", List.of("1"));
    coalescer.changed(registration("a"), "Registered", List.of("2"));
    coalescer.changed(registration("b"), "Registered", List.of("1"));
    coalescer.changed(registration("b"), "Registered", List.of("2", "3"));

    coalescer.forget(io.javaoperatorsdk.operator.processing.event.ResourceID.fromResource(registration("a")));
    assertThat(events).containsExactly("Registered 1 endpoint: 1", "Registered 1 endpoint: 1", "Registered 1 endpoint: 2");
    coalescer.close();
    assertThat(events).last().isEqualTo("Registered 2 endpoints: 2, 3");
  }
}
