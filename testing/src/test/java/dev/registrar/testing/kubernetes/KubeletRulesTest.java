package dev.registrar.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KubeletRulesTest {

  static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

  @Test
  void readyNeedsContainersReadyAndEveryGateTrue() {
    Pod gated = pod(true);
    PodStatus status = KubeletRules.running(gated, "10.0.0.1", "10.244.0.2", T0);
    assertThat(KubeletRules.conditionStatus(status, "ContainersReady")).isEqualTo("True");
    assertThat(KubeletRules.conditionStatus(status, "Ready")).isEqualTo("False");
    assertThat(status.getConditions()).filteredOn(c -> c.getType().equals("Ready"))
        .extracting(c -> c.getReason()).containsExactly("ReadinessGatesNotReady");

    gated.setStatus(status);
    gated.getStatus().getConditions().add(new PodConditionBuilder().withType("a/gate").withStatus("True").build());
    PodStatus opened = KubeletRules.running(gated, "10.0.0.1", "10.244.0.2", T0.plusSeconds(5));
    assertThat(KubeletRules.conditionStatus(opened, "Ready")).isEqualTo("True");
    // The gate's condition is someone else's: kept as written.
    assertThat(KubeletRules.conditionStatus(opened, "a/gate")).isEqualTo("True");
    assertThat(KubeletRules.changed(status, opened)).isTrue();
    assertThat(KubeletRules.changed(opened, KubeletRules.running(gated, "10.0.0.1", "10.244.0.2", T0.plusSeconds(9))))
        .isFalse();
  }

  @Test
  void aPodWithoutGatesIsReadyWithItsContainers() {
    PodStatus status = KubeletRules.running(pod(false), "10.0.0.1", "10.244.0.2", T0);
    assertThat(KubeletRules.conditionStatus(status, "Ready")).isEqualTo("True");
    assertThat(status.getPhase()).isEqualTo("Running");
    assertThat(status.getPodIP()).isEqualTo("10.244.0.2");
    assertThat(status.getContainerStatuses()).singleElement().satisfies(c -> assertThat(c.getReady()).isTrue());
  }

  @Test
  void aTerminatingOrAnnotatedPodIsNotReady() {
    Pod terminating = pod(false);
    terminating.getMetadata().setDeletionTimestamp(T0.toString());
    assertThat(KubeletRules.conditionStatus(KubeletRules.running(terminating, "h", "ip", T0), "Ready")).isEqualTo("False");
    Pod annotated = pod(false);
    annotated.getMetadata().getAnnotations().put(KubeletRules.READY_ANNOTATION, "false");
    PodStatus status = KubeletRules.running(annotated, "h", "ip", T0);
    assertThat(KubeletRules.conditionStatus(status, "ContainersReady")).isEqualTo("False");
    assertThat(KubeletRules.conditionStatus(status, "Ready")).isEqualTo("False");
  }

  @Test
  void aConditionsTransitionTimeMovesOnlyWhenItFlips() {
    Pod pod = pod(false);
    pod.setStatus(KubeletRules.running(pod, "h", "ip", T0));
    PodStatus later = KubeletRules.running(pod, "h", "ip", T0.plusSeconds(60));
    assertThat(later.getConditions()).filteredOn(c -> c.getType().equals("Ready"))
        .extracting(c -> c.getLastTransitionTime()).containsExactly(T0.toString());
    pod.getMetadata().getAnnotations().put(KubeletRules.READY_ANNOTATION, "false");
    PodStatus flipped = KubeletRules.running(pod, "h", "ip", T0.plusSeconds(60));
    assertThat(flipped.getConditions()).filteredOn(c -> c.getType().equals("Ready"))
        .extracting(c -> c.getLastTransitionTime()).containsExactly(T0.plusSeconds(60).toString());
  }

  static Pod pod(boolean gated) {
    PodBuilder builder = new PodBuilder().withNewMetadata().withName("p").withNamespace("n").withUid("u")
        .withAnnotations(new java.util.HashMap<>()).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("i").endContainer().endSpec();
    if (gated) {
      builder.editSpec().addNewReadinessGate().withConditionType("a/gate").endReadinessGate().endSpec();
    }
    return builder.build();
  }
}
