package dev.registrar.operator.model;

import static dev.registrar.operator.testing.TestObjects.gatedPod;
import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.client.RegistryPrefix;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReadinessGatesTest {

  static final Map<String, String> APP = Map.of("app", "orders");
  static final RegistryContext GATE_ON = new RegistryContext(RegistryPrefix.DEFAULT, "prod", true, true);
  static final RegistryContext GATE_OFF = new RegistryContext(RegistryPrefix.DEFAULT, "prod", false, true);

  static ServiceRegistration orders() {
    ServiceRegistration registration = registration("shop", "orders", "orders", APP, PortSpec.number("http", 8080));
    registration.getMetadata().setUid("uid-1");
    return registration;
  }

  static Pod registered(Pod pod) {
    pod.getStatus().getConditions().add(new PodConditionBuilder().withType(PodReadiness.GATE).withStatus("True")
        .withReason("Registered").build());
    return pod;
  }

  static Map<String, String> summary(List<ReadinessGates.Next> next) {
    return next.stream().collect(Collectors.toMap(n -> n.pod().getMetadata().getName(),
        n -> n.condition().status() + "/" + n.condition().reason()));
  }

  @Test
  void aGatedPodIsRegistrableOnContainersReadyWhileItsReadyWaitsForTheGate() {
    Pod gated = gatedPod("shop", "a", "10.0.0.1", APP, true);

    assertThat(PodReadiness.isReady(gated)).isFalse();
    assertThat(PodReadiness.isRegistrable(gated, false, true)).isTrue();
    assertThat(PodReadiness.isRegistrable(gatedPod("shop", "b", "10.0.0.2", APP, false), false, true)).isFalse();
    // With the gate not served, a gated Pod waits for Ready like any other.
    assertThat(PodReadiness.isRegistrable(gated, false, false)).isFalse();
    // Terminating wins over ContainersReady.
    gated.getMetadata().setDeletionTimestamp("2026-11-30T00:00:00Z");
    assertThat(PodReadiness.isRegistrable(gated, false, true)).isFalse();
  }

  @Test
  void anUngatedPodStillWaitsForReady() {
    Pod plain = pod("shop", "a", "10.0.0.1", APP, false);
    plain.getStatus().getConditions().add(new PodConditionBuilder().withType("ContainersReady").withStatus("True").build());

    assertThat(PodReadiness.isRegistrable(plain, false, true)).isFalse();
  }

  @Test
  void afterTheCommitAPodWithItsKeysIsRegisteredAndOneThatStoppedBeingReadyIsDeregistered() {
    Pod ready = gatedPod("shop", "a", "10.0.0.1", APP, true);
    Pod stopped = registered(gatedPod("shop", "b", "10.0.0.2", APP, false));
    Pod neverReady = gatedPod("shop", "c", "10.0.0.3", APP, false);
    List<Pod> pods = List.of(ready, stopped, neverReady);
    DesiredState desired = DesiredStateCalculator.compute(orders(), pods, GATE_ON);

    List<ReadinessGates.Next> next = ReadinessGates.afterCommit("shop/orders", pods, desired, Map.of());

    assertThat(summary(next)).isEqualTo(Map.of("a", "True/Registered", "b", "False/Deregistered"));
    assertThat(next.get(0).condition().message())
        .isEqualTo("registered in etcd by ServiceRegistration shop/orders: /services/orders/10.0.0.1:8080");
    assertThat(next.get(1).condition().message()).isEqualTo("its keys were deleted from etcd: its containers are not ready");
  }

  @Test
  void aKeyHeldByAnotherOwnerKeepsTheGateFalseAndSaysWho() {
    Pod pod = gatedPod("shop", "a", "10.0.0.1", APP, true);
    DesiredState desired = DesiredStateCalculator.compute(orders(), List.of(pod), GATE_ON);

    List<ReadinessGates.Next> next = ReadinessGates.afterCommit("shop/orders", List.of(pod), desired,
        Map.of("/services/orders/10.0.0.1:8080", "lease 7b (no owner in its value)"));

    assertThat(summary(next)).isEqualTo(Map.of("a", "False/RegistrationNotReady"));
    assertThat(next.get(0).condition().message()).isEqualTo("ServiceRegistration shop/orders cannot register "
        + "/services/orders/10.0.0.1:8080: another owner holds it (lease 7b (no owner in its value))");
  }

  @Test
  void whileEtcdIsAwayNewPodsSaySoAndRegisteredPodsStayRegistered() {
    Pod fresh = gatedPod("shop", "new", "10.0.0.1", APP, true);
    Pod old = registered(gatedPod("shop", "old", "10.0.0.2", APP, true));

    List<ReadinessGates.Next> next = ReadinessGates.whileNotReady("shop/orders", List.of(fresh, old), true, false,
        Reasons.ETCD_UNAVAILABLE, "etcd unreachable since 12:00", true);

    assertThat(summary(next)).isEqualTo(Map.of("new", "False/EtcdUnavailable"));
  }

  @Test
  void aRegistrationThatCannotRegisterNamesItselfAndARefusedNameTakesEvenRegisteredPodsOut() {
    Pod fresh = gatedPod("shop", "new", "10.0.0.1", APP, true);
    Pod old = registered(gatedPod("shop", "old", "10.0.0.2", APP, true));

    List<ReadinessGates.Next> conflict = ReadinessGates.whileNotReady("shop/orders", List.of(fresh, old), true, false,
        Reasons.CONFLICT, "service name orders is claimed by shop/other", true);
    List<ReadinessGates.Next> refused = ReadinessGates.whileNotReady("shop/orders", List.of(fresh, old), true, false,
        Reasons.NAME_NOT_ALLOWED, "not allowed", false);

    assertThat(summary(conflict)).isEqualTo(Map.of("new", "False/RegistrationNotReady"));
    assertThat(conflict.get(0).condition().message()).isEqualTo("ServiceRegistration shop/orders is not Ready "
        + "(Conflict): service name orders is claimed by shop/other");
    assertThat(summary(refused)).isEqualTo(Map.of("new", "False/RegistrationNotReady", "old", "False/RegistrationNotReady"));
  }

  @Test
  void aConditionIsShownByAPodOnlyWithTheSameStatusAndReason() {
    Pod pod = registered(gatedPod("shop", "a", "10.0.0.1", APP, true));

    assertThat(new GateCondition(true, "Registered", "other message").isShownBy(pod)).isTrue();
    assertThat(new GateCondition(false, "Deregistered", "m").isShownBy(pod)).isFalse();
    assertThat(ReadinessGates.notSelected(pod).isShownBy(gatedPod("shop", "b", "10.0.0.2", APP, true))).isFalse();
  }

  @Test
  void aPodThatWasNeverRegisteredAndStopsBeingReadyGetsNoCondition() {
    Pod gateFalse = gatedPod("shop", "a", "10.0.0.1", APP, false);
    gateFalse.getStatus().getConditions().add(new PodConditionBuilder().withType(PodReadiness.GATE).withStatus("False")
        .withReason("RegistrationNotReady").build());
    DesiredState desired = DesiredStateCalculator.compute(orders(), List.of(gateFalse), GATE_ON);

    assertThat(ReadinessGates.afterCommit("shop/orders", List.of(gateFalse), desired, Map.of())).isEmpty();
    assertThat(ReadinessGates.whileNotReady("shop/orders", List.of(gateFalse), true, false, Reasons.CONFLICT, "m", false))
        .isEmpty();
  }

  @Test
  void aRegistrablePodWithoutKeysSaysWhyFromTheSkippedNotes() {
    Pod pod = gatedPod("shop", "a", "10.0.0.1", APP, true);
    ServiceRegistration named = registration("shop", "orders", "orders", APP, PortSpec.named("http", "web"));
    DesiredState desired = DesiredStateCalculator.compute(named, List.of(pod), GATE_ON);

    List<ReadinessGates.Next> next = ReadinessGates.afterCommit("shop/orders", List.of(pod), desired, Map.of());

    assertThat(summary(next)).isEqualTo(Map.of("a", "False/RegistrationNotReady"));
    assertThat(next.get(0).condition().message()).startsWith("ServiceRegistration shop/orders has no key for this Pod: pod a ");
    DesiredState noNotes = new DesiredState(new java.util.TreeMap<>(), new java.util.TreeSet<>(List.of("a")), List.of(),
        new java.util.TreeSet<>(List.of("a")), new java.util.TreeMap<>());
    assertThat(ReadinessGates.afterCommit("shop/orders", List.of(pod), noNotes, Map.of()).get(0).condition().message())
        .isEqualTo("ServiceRegistration shop/orders has no key for this Pod: none of its ports resolves");
  }

  @Test
  void aRegisteredPodThatStopsBeingReadyWhileTheRegistrationCannotRegisterIsDeregisteredOnlyOnceItsKeysAreGone() {
    Pod stopped = registered(gatedPod("shop", "b", "10.0.0.2", APP, false));

    assertThat(ReadinessGates.whileNotReady("shop/orders", List.of(stopped), true, false, Reasons.ETCD_UNAVAILABLE,
        "m", true)).as("its keys are still in etcd").isEmpty();
    List<ReadinessGates.Next> gone = ReadinessGates.whileNotReady("shop/orders", List.of(stopped), true, false,
        Reasons.NAME_NOT_ALLOWED, "m", false);
    assertThat(summary(gone)).isEqualTo(Map.of("b", "False/Deregistered"));
  }

  @Test
  void theDeregisteredMessageSaysWhy() {
    Pod terminating = registered(gatedPod("shop", "t", "10.0.0.1", APP, true));
    terminating.getMetadata().setDeletionTimestamp("2026-12-02T00:00:00Z");
    Pod noIp = registered(gatedPod("shop", "n", null, APP, true));
    Pod finished = registered(gatedPod("shop", "f", "10.0.0.3", APP, true));
    finished.getStatus().setPhase("Succeeded");
    List<Pod> pods = List.of(terminating, noIp, finished);
    DesiredState desired = DesiredStateCalculator.compute(orders(), pods, GATE_ON);

    Map<String, String> messages = ReadinessGates.afterCommit("shop/orders", pods, desired, Map.of()).stream()
        .collect(Collectors.toMap(n -> n.pod().getMetadata().getName(), n -> n.condition().message()));

    assertThat(messages).isEqualTo(Map.of("t", "its keys were deleted from etcd: it is terminating",
        "n", "its keys were deleted from etcd: it has no IP", "f", "its keys were deleted from etcd: it has finished"));
  }

  static final GateCondition YES_A = new GateCondition(true, Reasons.GATE_REGISTERED, "by a");
  static final GateCondition YES_B = new GateCondition(true, Reasons.GATE_REGISTERED, "by b");
  static final GateCondition NO_B = new GateCondition(false, Reasons.GATE_REGISTRATION_NOT_READY, "b cannot");
  static final GateCondition NO_C = new GateCondition(false, Reasons.GATE_ETCD_UNAVAILABLE, "c cannot");

  @Test
  void severalRegistrationsMakeThePodReadyOnlyWhenEveryOneHoldsItsKeys() {
    assertThat(ReadinessGates.combine(Map.of("shop/a", YES_A), List.of("shop/a"))).contains(YES_A);
    assertThat(ReadinessGates.combine(Map.of("shop/a", YES_A, "shop/b", YES_B), List.of("shop/b", "shop/a")))
        .hasValueSatisfying(c -> {
          assertThat(c.registered()).isTrue();
          assertThat(c.reason()).isEqualTo(Reasons.GATE_REGISTERED);
          assertThat(c.message()).isEqualTo("registered in etcd by all 2 ServiceRegistrations that select it: by a; by b");
        });
    // One says no: the first by name of those that say no, whatever the others say.
    assertThat(ReadinessGates.combine(Map.of("shop/a", YES_A, "shop/b", NO_B), List.of("shop/a", "shop/b"))).contains(NO_B);
    assertThat(ReadinessGates.combine(Map.of("shop/c", NO_C, "shop/b", NO_B), List.of("shop/c", "shop/b", "shop/a")))
        .contains(NO_B);
    // One has not decided yet: nothing to write, even if the others say yes.
    assertThat(ReadinessGates.combine(Map.of("shop/a", YES_A), List.of("shop/a", "shop/b"))).isEmpty();
    assertThat(ReadinessGates.combine(Map.of(), List.of("shop/a"))).isEmpty();
    // Nobody selects it: not this function's call.
    assertThat(ReadinessGates.combine(Map.of("shop/a", YES_A), List.of())).isEmpty();
  }

  @Test
  void aRegistrablePodWhoseGateIsFalseHearsWhyWhileTheRegistrationCannotRegister() {
    Pod pending = gatedPod("shop", "p", "10.0.0.1", APP, true);
    pending.getStatus().getConditions().add(new PodConditionBuilder().withType(PodReadiness.GATE).withStatus("False")
        .withReason("RegistrationNotReady").build());
    assertThat(summary(ReadinessGates.whileNotReady("shop/orders", List.of(pending), true, false,
        Reasons.ETCD_UNAVAILABLE, "etcd unreachable", true))).isEqualTo(Map.of("p", "False/EtcdUnavailable"));
  }

  @Test
  void theSkippedNoteNamedIsThePodsOwn() {
    Pod pod = gatedPod("shop", "a", "10.0.0.1", APP, true);
    DesiredState notes = new DesiredState(new java.util.TreeMap<>(), new java.util.TreeSet<>(List.of("a", "ab")),
        List.of("pod ab has no port web", "pod a has no port grpc"), new java.util.TreeSet<>(List.of("a", "ab")),
        new java.util.TreeMap<>());
    assertThat(ReadinessGates.afterCommit("shop/orders", List.of(pod), notes, Map.of()).get(0).condition().message())
        .isEqualTo("ServiceRegistration shop/orders has no key for this Pod: pod a has no port grpc");
  }
}
