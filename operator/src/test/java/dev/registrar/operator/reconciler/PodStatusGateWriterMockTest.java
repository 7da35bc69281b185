package dev.registrar.operator.reconciler;

import static dev.registrar.operator.testing.TestObjects.gatedPod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.etcd.RegistryCounters;
import dev.registrar.operator.metrics.RegistrarMetrics;
import dev.registrar.operator.model.GateCondition;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gate's write against the mock API: it adds or replaces only its own condition, so that the
 * kubelet's conditions and the Pod's IP survive it, even when the Pod changed under it.
 */
class PodStatusGateWriterMockTest {

  static final GateCondition REGISTERED = new GateCondition(true, "Registered", "registered in etcd");

  MockKubernetesApi api;
  KubernetesClient client;
  ExecutorService executor;
  RegistrarMetrics metrics;
  PodStatusGateWriter writer;

  @BeforeEach
  void start() {
    api = MockKubernetesApi.start();
    client = api.client();
    executor = Executors.newSingleThreadExecutor();
    metrics = new RegistrarMetrics(new RegistryCounters());
    writer = new PodStatusGateWriter(client, executor, Clock.systemUTC(), metrics);
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
    api.close();
  }

  Pod created(String name) {
    return client.resource(gatedPod("shop", name, "10.0.0.7", Map.of("app", "orders"), true)).create();
  }

  Pod fetched(String name) {
    return client.pods().inNamespace("shop").withName(name).get();
  }

  static Optional<PodCondition> gate(Pod pod) {
    return PodReadiness.condition(pod, PodReadiness.GATE);
  }

  static List<String> kubeletConditions(Pod pod) {
    return pod.getStatus().getConditions().stream().filter(c -> !PodReadiness.GATE.equals(c.getType()))
        .map(c -> c.getType() + "=" + c.getStatus()).toList();
  }

  @Test
  void theGateIsAddedBesideTheKubeletsConditionsAndThePodIpStays() {
    // Containers ready after the writer started: only such a transition is the operator's doing.
    Pod gated = gatedPod("shop", "orders-1", "10.0.0.7", Map.of("app", "orders"), true);
    gated.getStatus().getConditions().stream().filter(c -> c.getType().equals("ContainersReady"))
        .forEach(c -> c.setLastTransitionTime(java.time.Instant.now().truncatedTo(
            java.time.temporal.ChronoUnit.SECONDS).toString()));
    Pod pod = client.resource(gated).create();

    writer.write(pod, REGISTERED);

    await().atMost(Duration.ofSeconds(10)).until(() -> gate(fetched("orders-1")).isPresent());
    Pod after = fetched("orders-1");
    assertThat(gate(after)).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("Registered");
      assertThat(c.getMessage()).isEqualTo("registered in etcd");
      assertThat(c.getLastTransitionTime()).isNotBlank();
    });
    assertThat(kubeletConditions(after)).containsExactly("PodScheduled=True", "ContainersReady=True", "Ready=False");
    assertThat(after.getStatus().getPodIP()).isEqualTo("10.0.0.7");
    await().atMost(Duration.ofSeconds(5))
        .until(() -> metrics.scrape().contains("registrar_readiness_gate_seconds_count 1\n"));
  }

  @Test
  void aPodChangedSinceTheCacheSawItIsReadAgainAndTheKubeletsChangeSurvives() {
    Pod stale = created("orders-2");
    // The kubelet turns Ready after the cache's copy was taken: the copy's resourceVersion is stale.
    client.pods().inNamespace("shop").withName("orders-2").editStatus(p -> {
      p.getStatus().getConditions().stream().filter(c -> c.getType().equals("PodScheduled"))
          .forEach(c -> c.setReason("Rescheduled"));
      p.getStatus().setHostIP("192.168.0.9");
      return p;
    });

    writer.write(stale, REGISTERED);

    await().atMost(Duration.ofSeconds(10)).until(() -> gate(fetched("orders-2")).isPresent());
    Pod after = fetched("orders-2");
    assertThat(after.getStatus().getHostIP()).isEqualTo("192.168.0.9");
    assertThat(kubeletConditions(after)).containsExactly("PodScheduled=True", "ContainersReady=True", "Ready=False");
    assertThat(after.getStatus().getPodIP()).isEqualTo("10.0.0.7");
  }

  @Test
  void aFlipReplacesTheConditionInPlaceAndMovesItsTransitionTimeWhileAReasonChangeKeepsIt() {
    created("orders-3");
    writer.write(fetched("orders-3"), new GateCondition(false, "NotSelected", "no ServiceRegistration selects it"));
    await().atMost(Duration.ofSeconds(10)).until(() -> gate(fetched("orders-3")).isPresent());
    Pod notSelected = fetched("orders-3");
    String since = gate(notSelected).orElseThrow().getLastTransitionTime();

    writer.write(notSelected, new GateCondition(false, "EtcdUnavailable", "etcd is unreachable"));
    await().atMost(Duration.ofSeconds(10))
        .until(() -> "EtcdUnavailable".equals(gate(fetched("orders-3")).orElseThrow().getReason()));
    assertThat(gate(fetched("orders-3")).orElseThrow().getLastTransitionTime()).isEqualTo(since);

    writer.write(fetched("orders-3"), REGISTERED);
    await().atMost(Duration.ofSeconds(10)).until(() -> "True".equals(gate(fetched("orders-3")).orElseThrow().getStatus()));
    Pod after = fetched("orders-3");
    assertThat(after.getStatus().getConditions()).filteredOn(c -> c.getType().equals(PodReadiness.GATE)).hasSize(1);
    assertThat(kubeletConditions(after)).containsExactly("PodScheduled=True", "ContainersReady=True", "Ready=False");
  }

  @Test
  void aConditionThePodShowsAlreadyIsNotWrittenAgain() {
    created("orders-4");
    writer.write(fetched("orders-4"), REGISTERED);
    await().atMost(Duration.ofSeconds(10)).until(() -> gate(fetched("orders-4")).isPresent());
    String version = fetched("orders-4").getMetadata().getResourceVersion();
    api.takeRequests();

    writer.write(fetched("orders-4"), new GateCondition(true, "Registered", "another message"));
    writer.write(fetched("orders-4"), REGISTERED);

    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
        .until(() -> version.equals(fetched("orders-4").getMetadata().getResourceVersion()));
    assertThat(api.takeRequests()).noneMatch(r -> "PATCH".equals(r.getMethod()));
  }

  /**
   * With the operator's pool of threads: many Pods are written side by side, and one Pod's
   * rapid requests still end with the newest (a reordering would leave an older one standing).
   */
  @Test
  void manyPodsAreWrittenSideBySideAndEachPodsLastRequestWins() {
    ExecutorService pool = Executors.newFixedThreadPool(PodStatusGateWriter.THREADS);
    try {
      PodStatusGateWriter parallel = new PodStatusGateWriter(client, pool, Clock.systemUTC(), metrics);
      List<String> names = java.util.stream.IntStream.range(0, 40).mapToObj(i -> "mass-" + i).toList();
      names.forEach(this::created);
      names.forEach(name -> parallel.write(fetched(name), REGISTERED));
      await().atMost(Duration.ofSeconds(30)).until(() -> names.stream()
          .allMatch(name -> gate(fetched(name)).map(c -> "True".equals(c.getStatus())).orElse(false)));

      Pod flapping = fetched("mass-0");
      GateCondition last = null;
      for (int i = 0; i < 30; i++) {
        last = i % 2 == 0 ? new GateCondition(false, "Deregistered", "step " + i)
            : new GateCondition(true, "Registered", "step " + i);
        parallel.write(flapping, last);
      }
      GateCondition newest = new GateCondition(false, "RegistrationNotReady", "the newest");
      parallel.write(flapping, newest);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(gate(fetched("mass-0")))
          .hasValueSatisfying(c -> assertThat(c.getReason() + "/" + c.getMessage()).isEqualTo("RegistrationNotReady/the newest")));
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
          assertThat(gate(fetched("mass-0")).orElseThrow().getReason()).isEqualTo("RegistrationNotReady"));
    } finally {
      pool.shutdownNow();
    }
  }
}
