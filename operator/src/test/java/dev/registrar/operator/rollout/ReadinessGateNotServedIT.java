package dev.registrar.operator.rollout;

import static dev.registrar.operator.testing.TestObjects.gatedPod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.testing.etcd.EtcdExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The readiness gate turned off (REGISTRAR_POD_READINESS_GATE=false) while a selected Pod lists
 * it: the kubelet keeps that Pod unready for ever, so the Pod hears why, once.
 */
class ReadinessGateNotServedIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static OperatorFixture fixture;

  @BeforeAll
  static void start() {
    fixture = OperatorFixture.start(ETCD, "--pod-readiness-gate", "false");
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void aSelectedPodThatListsTheGateGetsOneWarningAndNoCondition() {
    Map<String, String> app = Map.of("app", "gateless");
    fixture.client.resource(registration("shop", "gateless", "gateless", app, PortSpec.number("http", 8080))).create();
    fixture.client.resource(gatedPod("shop", "gateless-1", "10.30.0.1", app, true)).create();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(fixture.events("shop", "gateless-1",
        "ReadinessGateNotServed")).singleElement().satisfies(event -> {
          assertThat(event.getType()).isEqualTo("Warning");
          assertThat(event.getInvolvedObject().getKind()).isEqualTo("Pod");
          assertThat(event.getMessage()).isEqualTo("this Pod lists the readiness gate registrar.dev/registered and "
              + "ServiceRegistration shop/gateless selects it, but the operator does not serve the gate "
              + "(REGISTRAR_POD_READINESS_GATE=false): the Pod never turns Ready. Serve the gate, or remove it from "
              + "the Pod template's readinessGates");
        }));
    // Later changes of the Pod reconcile again, but it is told once; the gate is never written.
    fixture.client.pods().inNamespace("shop").withName("gateless-1").edit(p -> {
      p.getMetadata().getLabels().put("nudge", "1");
      return p;
    });
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).untilAsserted(() -> {
      assertThat(fixture.events("shop", "gateless-1", "ReadinessGateNotServed")).hasSize(1);
      assertThat(PodReadiness.condition(fixture.client.pods().inNamespace("shop").withName("gateless-1").get(),
          PodReadiness.GATE)).isEmpty();
    });
    // The Pod is not Ready (the kubelet waits for the gate), so it has no key.
    assertThat(fixture.etcd.values("/services/gateless/")).isEmpty();
  }
}
