package dev.registrar.operator.model;

import static dev.registrar.operator.testing.TestObjects.gatedPod;
import static dev.registrar.operator.testing.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which Pods are registered, and on which condition's transition. */
class PodReadinessTest {

  static final Map<String, String> APP = Map.of("app", "orders");

  @Test
  void onlyOurGateMakesAPodGated() {
    Pod foreign = pod("shop", "a", "10.0.0.1", APP, false);
    foreign.getSpec().setReadinessGates(List.of(new PodReadinessGate("example.com/warmed-up")));
    assertThat(PodReadiness.hasGate(foreign)).isFalse();
    assertThat(PodReadiness.hasGate(gatedPod("shop", "b", "10.0.0.2", APP, true))).isTrue();
    assertThat(PodReadiness.hasGate(pod("shop", "c", "10.0.0.3", APP, true))).isFalse();
    Pod noSpec = pod("shop", "d", "10.0.0.4", APP, true);
    noSpec.setSpec(null);
    assertThat(PodReadiness.hasGate(noSpec)).isFalse();
  }

  @Test
  void theRegistrationFollowsContainersReadyOnlyForAGatedPodWithTheGateServed() {
    Pod gated = gatedPod("shop", "a", "10.0.0.1", APP, true);
    assertThat(PodReadiness.readinessCondition(gated, true)).isEqualTo("ContainersReady");
    assertThat(PodReadiness.readinessCondition(gated, false)).isEqualTo("Ready");
    assertThat(PodReadiness.readinessCondition(pod("shop", "b", "10.0.0.2", APP, true), true)).isEqualTo("Ready");
  }

  @Test
  void theTwoArgumentFormServesTheGate() {
    Pod gated = gatedPod("shop", "a", "10.0.0.1", APP, true);
    assertThat(PodReadiness.isRegistrable(gated, false)).isTrue();
    assertThat(PodReadiness.isRegistrable(gatedPod("shop", "b", "10.0.0.2", APP, false), false)).isFalse();
    assertThat(PodReadiness.isRegistrable(gatedPod("shop", "c", "10.0.0.3", APP, false), true))
        .as("published not ready").isTrue();
    Pod blank = pod("shop", "d", " ", APP, true);
    assertThat(PodReadiness.isRegistrable(blank, true)).as("a blank IP is no IP").isFalse();
  }
}
