package dev.registrar.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubeletTest {

  static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  static final Instant T1 = Instant.parse("2026-11-24T10:05:00Z");

  static Pod pod(Map<String, String> annotations, PodStatus status) {
    return new PodBuilder().withNewMetadata().withName("web-1").withNamespace("default")
        .withAnnotations(annotations).endMetadata().withStatus(status).build();
  }

  static PodCondition ready(PodStatus status) {
    return status.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
  }

  @Test
  void aNewPodBecomesRunningAndReadyOnItsIp() {
    PodStatus status = Kubelet.status(pod(Map.of(), null), "10.244.0.2", T0);
    assertThat(status.getPhase()).isEqualTo("Running");
    assertThat(status.getPodIP()).isEqualTo("10.244.0.2");
    assertThat(ready(status).getStatus()).isEqualTo("True");
    assertThat(ready(status).getLastTransitionTime()).isEqualTo("2026-11-24T10:00:00Z");
    assertThat(Kubelet.needsUpdate(null, status)).isTrue();
  }

  @Test
  void theAnnotationMakesAPodUnreadyAndTheTransitionTimeMovesOnlyOnAFlip() {
    PodStatus ready = Kubelet.status(pod(Map.of(), null), "10.244.0.2", T0);
    PodStatus again = Kubelet.status(pod(Map.of(), ready), "10.244.0.2", T1);
    assertThat(ready(again).getLastTransitionTime()).isEqualTo("2026-11-24T10:00:00Z");
    assertThat(Kubelet.needsUpdate(ready, again)).as("its own write triggers nothing").isFalse();

    PodStatus unready = Kubelet.status(pod(Map.of(Kubelet.READY_ANNOTATION, "false"), ready), "10.244.0.2", T1);
    assertThat(ready(unready).getStatus()).isEqualTo("False");
    assertThat(ready(unready).getLastTransitionTime()).isEqualTo("2026-11-24T10:05:00Z");
    assertThat(unready.getPhase()).isEqualTo("Running");
    assertThat(Kubelet.needsUpdate(ready, unready)).isTrue();

    PodStatus back = Kubelet.status(pod(Map.of(Kubelet.READY_ANNOTATION, "true"), unready), "10.244.0.2", T1);
    assertThat(ready(back).getStatus()).isEqualTo("True");
  }
}
