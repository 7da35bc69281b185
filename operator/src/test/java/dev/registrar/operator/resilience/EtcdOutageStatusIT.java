package dev.registrar.operator.resilience;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.testing.FaultDuration;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.net.TcpProxy;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@code kubectl get svcreg} says while etcd is away, with no Kubernetes change to prompt a
 * reconcile: Ready turns False/EtcdUnavailable within 10 s, and back to True within 2 s of etcd
 * answering, with one status patch each way, one Warning Event, and no etcd write when the lease
 * survived.
 */
class EtcdOutageStatusIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NS = "shop";
  static final Duration DOWN_BOUND = Duration.ofSeconds(10);
  static final Duration UP_BOUND = Duration.ofSeconds(2);

  OperatorFixture fixture;
  /** Every status the registration went through, as a watcher of the API sees them. */
  final List<String> readyHistory = new CopyOnWriteArrayList<>();
  Watch watch;

  @BeforeEach
  void start() {
    fixture = OperatorFixture.start(ETCD, "--cluster-name", "test");
  }

  @AfterEach
  void stop() {
    ETCD.etcd().members().forEach(m -> m.resume()); // a failed freeze test must not leave etcd stopped
    if (watch != null) {
      watch.close();
    }
    fixture.close();
  }

  /** A registration over two ready pods, Synced; then its status changes are recorded. */
  void register(String name, int ttl) {
    Map<String, String> labels = Map.of("app", name);
    for (int i = 1; i <= 2; i++) {
      fixture.client.resource(pod(NS, name + "-" + i, "10.8." + ttl + "." + i, labels, true)).create();
    }
    ServiceRegistration registration = registration(NS, name, name, labels, PortSpec.number("http", 80));
    registration.getSpec().setLeaseTTLSeconds(ttl);
    fixture.client.resource(registration).create();
    fixture.awaitReady(NS, name, "True", "Synced", Duration.ofSeconds(20));
    watch = fixture.client.resources(ServiceRegistration.class).inNamespace(NS).withName(name).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, ServiceRegistration resource) {
        if (action == Action.MODIFIED && resource.getStatus() != null) {
          resource.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
              .ifPresent(c -> readyHistory.add(c.getStatus() + "/" + c.getReason()));
        }
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    });
  }

  Condition ready(String name) {
    return fixture.condition(NS, name, "Ready").orElseThrow();
  }

  /** Millis until Ready has {@code status}/{@code reason}, failing after {@code bound}. */
  long awaitReady(String name, String status, String reason, Duration bound, long since) {
    await().atMost(bound.plusSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      assertThat(ready(name).getStatus()).isEqualTo(status);
      assertThat(ready(name).getReason()).isEqualTo(reason);
    });
    long millis = Duration.ofNanos(System.nanoTime() - since).toMillis();
    assertThat(millis).as("time to Ready=%s/%s (ms)", status, reason).isLessThanOrEqualTo(bound.toMillis());
    return millis;
  }

  Map<String, Long> modRevisions(Client client, String name) {
    return new EtcdView(client).kvs("/services/" + name + "/").stream().collect(Collectors.toMap(
        kv -> kv.getKey().toString(java.nio.charset.StandardCharsets.UTF_8), KeyValue::getModRevision));
  }

  String metric(String name) throws Exception {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + fixture.operator().httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return body.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElse("(no " + name + ")");
  }

  /** Runs an outage, checks both transitions and what they cost; returns the two times. */
  /**
   * Registers {@code name} with {@code ttl}, runs an outage, checks both transitions and what
   * they cost, and prints the two times.
   */
  void outage(String what, String name, int ttl, Runnable down, Runnable up) throws Exception {
    register(name, ttl);
    long lease = fixture.lease(NS, name);
    Map<String, Long> revisions = modRevisions(ETCD.client(), name);
    long wentDown = System.nanoTime();
    down.run();
    long toFalse = awaitReady(name, "False", "EtcdUnavailable", DOWN_BOUND, wentDown);
    assertThat(ready(name).getMessage())
        .startsWith("etcd unreachable since ")
        .contains("the keys already registered stay in etcd until lease " + Long.toHexString(lease) + " runs out");
    assertThat(fixture.operator().readyz()).isEqualTo(503);
    assertThat(metric("registrar_etcd_up")).isEqualTo("registrar_etcd_up 0.0");

    // From etcd answering again: a restarted etcd's own start (up.run() waits until it is healthy)
    // is not the operator's time.
    up.run();
    long cameBack = System.nanoTime();
    long toTrue = awaitReady(name, "True", "Synced", UP_BOUND, cameBack);
    assertThat(metric("registrar_etcd_up")).isEqualTo("registrar_etcd_up 1.0");
    // One patch down, one up: nothing flapped in between.
    assertThat(readyHistory).containsExactly("False/EtcdUnavailable", "True/Synced");
    assertThat(fixture.events(NS, name, "EtcdUnavailable")).singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
    try (Client fresh = ETCD.etcd().newClient()) {
      // The lease survived: not a single key was written again.
      assertThat(modRevisions(fresh, name)).isEqualTo(revisions);
      assertThat(new EtcdView(fresh).leases("/services/" + name + "/").values()).containsOnly(lease);
    }
    assertThat(fixture.lease(NS, name)).isEqualTo(lease);
    System.out.printf("%s: Ready=False after %d ms; back: Ready=True after %d ms; 0 writes%n", what, toFalse, toTrue);
  }

  @Test
  void etcdKilledTurnsReadyFalseWithoutAnyPodEventAndBackWithoutAWrite() throws Exception {
    outage("etcd killed", "killed", 15, () -> ETCD.etcd().killAll(), () -> ETCD.etcd().startAll());
  }

  @Test
  void etcdFrozenTurnsReadyFalseAndBackWhenItThaws() throws Exception {
    // TTL 30: a 12 s freeze must not cost the lease, so that the return is write-free.
    outage("etcd frozen (SIGSTOP, then SIGCONT)", "frozen", 30,
        () -> ETCD.etcd().members().forEach(m -> m.pause()), () -> ETCD.etcd().members().forEach(m -> m.resume()));
  }

  @Test
  void aSilentNetworkTurnsReadyFalseAndBackWhenItSpeaksAgain() throws Exception {
    // The operator reaches etcd through a proxy that stops passing bytes, both ways, with every
    // connection left open: what a partition or a blackholed route looks like.
    fixture.close();
    try (TcpProxy proxy = TcpProxy.inFrontOf(ETCD.endpointList())) {
      fixture = OperatorFixture.startVia(ETCD, proxy.url(), "--cluster-name", "test");
      outage("network silent", "silent", 30, proxy::silence, proxy::restore);
    }
  }

  @Test
  void anOutageShorterThanTheBoundCausesNoFlapping() throws Exception {
    register("short", 15);
    long lease = fixture.lease(NS, "short");
    Map<String, Long> revisions = modRevisions(ETCD.client(), "short");
    long wentDown = System.nanoTime();
    ETCD.etcd().killAll();
    awaitReady("short", "False", "EtcdUnavailable", DOWN_BOUND, wentDown);
    // Down for 6 s in all, then back: still exactly one transition each way.
    FaultDuration.holdUntil(wentDown, Duration.ofSeconds(6));
    ETCD.etcd().startAll();
    long cameBack = System.nanoTime();
    awaitReady("short", "True", "Synced", UP_BOUND, cameBack);
    // Some more seconds: nothing else happens.
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(readyHistory).containsExactly("False/EtcdUnavailable", "True/Synced"));
    assertThat(fixture.events(NS, "short", "EtcdUnavailable")).hasSize(1);
    try (Client fresh = ETCD.etcd().newClient()) {
      assertThat(modRevisions(fresh, "short")).isEqualTo(revisions);
    }
    assertThat(fixture.lease(NS, "short")).isEqualTo(lease);
  }

  @Test
  void aBlipShorterThanTheGraceChangesNothing() throws Exception {
    register("blip", 15);
    ETCD.etcd().killAll();
    ETCD.etcd().startAll();
    // Longer than the health probe takes to notice and forgive.
    await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8))
        .untilAsserted(() -> assertThat(readyHistory).isEmpty());
    assertThat(ready("blip").getReason()).isEqualTo("Synced");
    assertThat(fixture.events(NS, "blip", "EtcdUnavailable")).isEmpty();
  }
}
