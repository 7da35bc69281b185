package dev.registrar.operator.model;

import static dev.registrar.operator.testing.TestObjects.gatedPod;
import static dev.registrar.operator.testing.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.RegistryKey;
import dev.registrar.client.RegistryPrefix;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** What the readiness-latency histogram is fed: only transitions this process saw, measured to the commit. */
class ReadinessLatenciesTest {

  static final Instant STARTED = Instant.parse("2026-12-02T10:00:00Z");
  static final Instant NOW = Instant.parse("2026-12-02T10:05:00Z");
  static final Map<String, String> LABELS = Map.of("app", "web");

  static EndpointValue value(String pod, String ip) {
    return new EndpointValue(null, 100, ip, 8080, "http", pod, "shop", "node-1", Map.of(),
        new EndpointValue.Owner("default", "shop", "web", "uid-1"));
  }

  static String key(String ip) {
    return "/services/web/" + ip + ":8080";
  }

  static DesiredState desired(EndpointValue... values) {
    TreeMap<String, DesiredEndpoint> endpoints = new TreeMap<>();
    for (EndpointValue v : values) {
      endpoints.put(key(v.address()), new DesiredEndpoint(new RegistryKey(RegistryPrefix.DEFAULT, "web", v.address(), 8080),
          v, EndpointCodec.encode(v)));
    }
    return new DesiredState(endpoints, new TreeSet<>(), List.of());
  }

  /** The Pod's condition {@code type} set to {@code status}, turned so at {@code at}. */
  static Pod transitioned(Pod pod, String type, String status, Instant at) {
    for (PodCondition condition : pod.getStatus().getConditions()) {
      if (condition.getType().equals(type)) {
        condition.setStatus(status);
        condition.setLastTransitionTime(at.toString());
      }
    }
    return pod;
  }

  static Plan put(String ip, long expectedModRevision) {
    return new Plan(List.of(new Plan.Put(key(ip), new byte[0], expectedModRevision)), List.of());
  }

  static Plan delete(String ip) {
    return new Plan(List.of(), List.of(new Plan.Delete(key(ip), 9)));
  }

  static Map<String, StoredKey> stored(EndpointValue value) {
    return Map.of(key(value.address()), new StoredKey(EndpointCodec.encode(value), 0x42, 9));
  }

  @Test
  void aNewKeyIsMeasuredFromItsPodsReadyTransition() {
    Pod web = transitioned(pod("shop", "web-1", "10.0.0.1", LABELS, true), "Ready", "True", NOW.minusMillis(250));
    var measured = ReadinessLatencies.of(put("10.0.0.1", 0), desired(value("web-1", "10.0.0.1")), Map.of(),
        List.of(web), STARTED, NOW);
    assertThat(measured.toRegistration()).containsExactly(Duration.ofMillis(250));
    assertThat(measured.toDeregistration()).isEmpty();
  }

  @Test
  void aGatedPodIsMeasuredFromContainersReadyNotFromReady() {
    Pod web = transitioned(gatedPod("shop", "web-1", "10.0.0.1", LABELS, true), "ContainersReady", "True",
        NOW.minusMillis(400));
    transitioned(web, "Ready", "False", NOW.minusMillis(100)); // a later Ready=False must not count
    var measured = ReadinessLatencies.of(put("10.0.0.1", 0), desired(value("web-1", "10.0.0.1")), Map.of(),
        List.of(web), STARTED, NOW);
    assertThat(measured.toRegistration()).containsExactly(Duration.ofMillis(400));
  }

  @Test
  void aRewriteOfAnExistingKeyIsNoRegistration() {
    Pod web = transitioned(pod("shop", "web-1", "10.0.0.1", LABELS, true), "Ready", "True", NOW.minusMillis(250));
    var measured = ReadinessLatencies.of(put("10.0.0.1", 7), desired(value("web-1", "10.0.0.1")), Map.of(),
        List.of(web), STARTED, NOW);
    assertThat(measured.toRegistration()).isEmpty();
  }

  @Test
  void aPutWithoutADesiredEndpointOrAPodOrAReadyConditionMeasuresNothing() {
    Pod web = transitioned(pod("shop", "web-1", "10.0.0.1", LABELS, true), "Ready", "True", NOW.minusMillis(250));
    assertThat(ReadinessLatencies.of(put("10.0.0.1", 0), desired(), Map.of(), List.of(web), STARTED, NOW)
        .toRegistration()).as("the claim's put has no endpoint").isEmpty();
    assertThat(ReadinessLatencies.of(put("10.0.0.1", 0), desired(value("web-1", "10.0.0.1")), Map.of(), List.of(),
        STARTED, NOW).toRegistration()).as("no such Pod").isEmpty();
    Pod unready = transitioned(pod("shop", "web-1", "10.0.0.1", LABELS, false), "Ready", "False", NOW.minusMillis(250));
    assertThat(ReadinessLatencies.of(put("10.0.0.1", 0), desired(value("web-1", "10.0.0.1")), Map.of(),
        List.of(unready), STARTED, NOW).toRegistration()).as("not Ready=True").isEmpty();
    Pod bare = pod("shop", "web-1", "10.0.0.1", LABELS, true);
    bare.getStatus().setConditions(null);
    assertThat(ReadinessLatencies.of(put("10.0.0.1", 0), desired(value("web-1", "10.0.0.1")), Map.of(),
        List.of(bare), STARTED, NOW).toRegistration()).as("no conditions").isEmpty();
    bare.setStatus(null);
    assertThat(ReadinessLatencies.of(put("10.0.0.1", 0), desired(value("web-1", "10.0.0.1")), Map.of(),
        List.of(bare), STARTED, NOW).toRegistration()).as("no status").isEmpty();
    Pod garbled = transitioned(pod("shop", "web-1", "10.0.0.1", LABELS, true), "Ready", "True", NOW);
    garbled.getStatus().getConditions().get(0).setLastTransitionTime("yesterday");
    assertThat(ReadinessLatencies.of(put("10.0.0.1", 0), desired(value("web-1", "10.0.0.1")), Map.of(),
        List.of(garbled), STARTED, NOW).toRegistration()).as("an unreadable time").isEmpty();
  }

  @Test
  void onlyTransitionsThisProcessSawCountWithASecondOfSlackForTheApiServersRounding() {
    EndpointValue v = value("web-1", "10.0.0.1");
    Pod before = transitioned(pod("shop", "web-1", "10.0.0.1", LABELS, true), "Ready", "True", STARTED.minusSeconds(2));
    assertThat(ReadinessLatencies.of(put("10.0.0.1", 0), desired(v), Map.of(), List.of(before), STARTED, NOW)
        .toRegistration()).as("ready before this process started").isEmpty();
    Pod edge = transitioned(pod("shop", "web-1", "10.0.0.1", LABELS, true), "Ready", "True", STARTED.minusSeconds(1));
    assertThat(ReadinessLatencies.of(put("10.0.0.1", 0), desired(v), Map.of(), List.of(edge), STARTED, NOW)
        .toRegistration()).as("a second before the start, truncated by the API server")
        .containsExactly(Duration.between(STARTED.minusSeconds(1), NOW));
    Pod future = transitioned(pod("shop", "web-1", "10.0.0.1", LABELS, true), "Ready", "True", NOW.plusMillis(1));
    assertThat(ReadinessLatencies.of(put("10.0.0.1", 0), desired(v), Map.of(), List.of(future), STARTED, NOW)
        .toRegistration()).as("after now: a skewed clock").isEmpty();
    Pod exact = transitioned(pod("shop", "web-1", "10.0.0.1", LABELS, true), "Ready", "True", NOW);
    assertThat(ReadinessLatencies.of(put("10.0.0.1", 0), desired(v), Map.of(), List.of(exact), STARTED, NOW)
        .toRegistration()).containsExactly(Duration.ZERO);
  }

  @Test
  void aRemovedKeyIsMeasuredFromItsPodsDeletionOrItsUnreadyTransition() {
    EndpointValue v = value("web-1", "10.0.0.1");
    Pod deleted = pod("shop", "web-1", "10.0.0.1", LABELS, true);
    deleted.getMetadata().setDeletionTimestamp(NOW.minusMillis(300).toString());
    var measured = ReadinessLatencies.of(delete("10.0.0.1"), desired(), stored(v), List.of(deleted), STARTED, NOW);
    assertThat(measured.toDeregistration()).containsExactly(Duration.ofMillis(300));
    assertThat(measured.toRegistration()).isEmpty();

    Pod unready = transitioned(pod("shop", "web-1", "10.0.0.1", LABELS, false), "Ready", "False", NOW.minusMillis(120));
    assertThat(ReadinessLatencies.of(delete("10.0.0.1"), desired(), stored(v), List.of(unready), STARTED, NOW)
        .toDeregistration()).containsExactly(Duration.ofMillis(120));

    Pod stillReady = transitioned(pod("shop", "web-1", "10.0.0.1", LABELS, true), "Ready", "True", NOW.minusMillis(120));
    assertThat(ReadinessLatencies.of(delete("10.0.0.1"), desired(), stored(v), List.of(stillReady), STARTED, NOW)
        .toDeregistration()).as("removed for another reason (labels): no transition to measure").isEmpty();
  }

  @Test
  void aRemovedKeyWithoutItsPodOrStoredValueOrThatIsTheClaimMeasuresNothing() {
    EndpointValue v = value("web-1", "10.0.0.1");
    Pod deleted = pod("shop", "web-1", "10.0.0.1", LABELS, true);
    deleted.getMetadata().setDeletionTimestamp(NOW.minusMillis(300).toString());
    assertThat(ReadinessLatencies.of(delete("10.0.0.1"), desired(), stored(v), List.of(), STARTED, NOW)
        .toDeregistration()).as("the Pod is gone from the cache").isEmpty();
    assertThat(ReadinessLatencies.of(delete("10.0.0.1"), desired(), Map.of(), List.of(deleted), STARTED, NOW)
        .toDeregistration()).as("nothing stored").isEmpty();
    Plan claim = new Plan(List.of(), List.of(new Plan.Delete("/registrar/claims/web", 3)));
    assertThat(ReadinessLatencies.of(claim, desired(), Map.of("/registrar/claims/web",
        new StoredKey(EndpointCodec.encodeOwner(v.owner()), 0x42, 3)), List.of(deleted), STARTED, NOW)
        .toDeregistration()).as("the claim").isEmpty();
    assertThat(ReadinessLatencies.of(delete("10.0.0.1"), desired(), Map.of(key("10.0.0.1"),
        new StoredKey("not json".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0x42, 9)), List.of(deleted),
        STARTED, NOW).toDeregistration()).as("a value that does not decode").isEmpty();
  }

  @Test
  void theGateIsMeasuredFromContainersReadyWhenThisProcessSawIt() {
    Pod web = transitioned(gatedPod("shop", "web-1", "10.0.0.1", LABELS, true), "ContainersReady", "True",
        NOW.minusMillis(40));
    assertThat(ReadinessLatencies.toGate(web, STARTED, NOW)).contains(Duration.ofMillis(40));
    Pod notReady = transitioned(gatedPod("shop", "web-1", "10.0.0.1", LABELS, false), "ContainersReady", "False",
        NOW.minusMillis(40));
    assertThat(ReadinessLatencies.toGate(notReady, STARTED, NOW)).isEmpty();
    Pod old = transitioned(gatedPod("shop", "web-1", "10.0.0.1", LABELS, true), "ContainersReady", "True",
        STARTED.minusSeconds(60));
    assertThat(ReadinessLatencies.toGate(old, STARTED, NOW)).isEmpty();
    assertThat(ReadinessLatencies.toGate(pod("shop", "web-1", "10.0.0.1", LABELS, true), STARTED, NOW))
        .as("no ContainersReady condition").isEqualTo(Optional.empty());
  }
}
