package dev.registrar.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.operator.customresource.ServiceRegistrationStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class StatusCalculatorTest {

  static final Instant T1 = Instant.parse("2026-11-24T10:00:00Z");
  static final Instant T2 = Instant.parse("2026-11-24T11:00:00Z");

  static DesiredState desired(int matched, List<String> skipped) {
    TreeSet<String> pods = new TreeSet<>();
    for (int i = 0; i < matched; i++) {
      pods.add("pod-" + i);
    }
    return new DesiredState(new TreeMap<>(), pods, skipped);
  }

  static Condition condition(ServiceRegistrationStatus status, String type) {
    return Conditions.find(status.getConditions(), type).orElseThrow();
  }

  @Test
  void syncedReportsCountsLeaseAndBothConditions() {
    ServiceRegistrationStatus status = StatusCalculator.synced(null, 3, "abc", desired(2, List.of()), 4, Map.of(), Set.of(), T1);
    assertThat(status.getObservedGeneration()).isEqualTo(3);
    assertThat(status.getLeaseId()).isEqualTo("abc");
    assertThat(status.getMatchedPods()).isEqualTo(2);
    assertThat(status.getRegisteredEndpoints()).isEqualTo(4);
    Condition ready = condition(status, "Ready");
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("Synced");
    assertThat(ready.getMessage()).isEqualTo("4 endpoints registered under lease abc");
    assertThat(ready.getObservedGeneration()).isEqualTo(3);
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-11-24T10:00:00Z");
    Condition available = condition(status, "EndpointsAvailable");
    assertThat(available.getStatus()).isEqualTo("True");
    assertThat(available.getReason()).isEqualTo("EndpointsRegistered");
    assertThat(available.getMessage()).isEqualTo("4 endpoints from 2 matching pods");
  }

  @Test
  void noEndpointsSaysWhetherNothingMatchesOrNothingIsReady() {
    assertThat(condition(StatusCalculator.synced(null, 1, "a", desired(0, List.of()), 0, Map.of(), Set.of(), T1),
        "EndpointsAvailable")).satisfies(c -> {
          assertThat(c.getStatus()).isEqualTo("False");
          assertThat(c.getReason()).isEqualTo("NoMatchingPods");
        });
    assertThat(condition(StatusCalculator.synced(null, 1, "a", desired(3, List.of()), 0, Map.of(), Set.of(), T1),
        "EndpointsAvailable")).satisfies(c -> {
          assertThat(c.getReason()).isEqualTo("NoReadyPods");
          assertThat(c.getMessage()).isEqualTo("3 pods match the selector but none is ready");
        });
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenTheStatusFlips() {
    ServiceRegistrationStatus first = StatusCalculator.synced(null, 1, "a", desired(1, List.of()), 1, Map.of(), Set.of(), T1);
    // Still True, other message: the transition time stays.
    ServiceRegistrationStatus second = StatusCalculator.synced(first, 2, "a", desired(2, List.of()), 2, Map.of(), Set.of(), T2);
    assertThat(condition(second, "Ready").getLastTransitionTime()).isEqualTo("2026-11-24T10:00:00Z");
    assertThat(condition(second, "Ready").getObservedGeneration()).isEqualTo(2);
    // Flips to False: it moves.
    ServiceRegistrationStatus third = StatusCalculator.notReady(second, 2, "EtcdUnavailable", "down", T2);
    assertThat(condition(third, "Ready").getLastTransitionTime()).isEqualTo("2026-11-24T11:00:00Z");
    assertThat(condition(third, "Ready").getReason()).isEqualTo("EtcdUnavailable");
    // What is registered stays as last observed, and the other condition is untouched.
    assertThat(third.getRegisteredEndpoints()).isEqualTo(2);
    assertThat(third.getLeaseId()).isEqualTo("a");
    assertThat(condition(third, "EndpointsAvailable")).isEqualTo(condition(second, "EndpointsAvailable"));
  }

  @Test
  void theSameObservationGivesAnEqualStatusSoNothingIsPatched() {
    ServiceRegistrationStatus first = StatusCalculator.synced(null, 1, "a", desired(1, List.of()), 1, Map.of(), Set.of(), T1);
    ServiceRegistrationStatus again = StatusCalculator.synced(first, 1, "a", desired(1, List.of()), 1, Map.of(), Set.of(), T2);
    assertThat(again).isEqualTo(first);
    assertThat(StatusCalculator.notReady(third(first), 1, "EtcdUnavailable", "down", T2))
        .isEqualTo(third(first));
  }

  private static ServiceRegistrationStatus third(ServiceRegistrationStatus status) {
    return StatusCalculator.notReady(status, 1, "EtcdUnavailable", "down", T1);
  }

  @Test
  void skippedPodsAndForeignKeysAreNamedInTheReadyMessage() {
    ServiceRegistrationStatus status = StatusCalculator.synced(null, 1, "a",
        desired(5, List.of("n1", "n2", "n3", "n4", "n5")), 1, Map.of(), Set.of("/services/x/10.0.0.9:80"), T1);
    assertThat(condition(status, "Ready").getMessage()).isEqualTo(
        "1 endpoint registered under lease a; skipped: n1, n2, n3 and 2 more; "
            + "keys of another owner under the service path left untouched: /services/x/10.0.0.9:80");
  }

  @Test
  void aDesiredKeyHeldByAnotherOwnerIsNeverSynced() {
    ServiceRegistrationStatus status = StatusCalculator.synced(null, 1, "a", desired(2, List.of()), 1,
        Map.of("/services/x/10.0.0.2:80", "registration b/x of cluster 'c' (lease 9)"), Set.of(), T1);
    Condition ready = condition(status, "Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("KeysHeldElsewhere");
    assertThat(ready.getMessage()).isEqualTo("1 endpoint is not registered because another owner holds the key: "
        + "/services/x/10.0.0.2:80 held by registration b/x of cluster 'c' (lease 9); 1 endpoint registered under lease a");
    assertThat(status.getRegisteredEndpoints()).isEqualTo(1);
    assertThat(condition(status, "EndpointsAvailable").getStatus()).isEqualTo("True");
  }

  @Test
  void conditionsOfOtherTypesAreKept() {
    List<Condition> conditions = Conditions.set(List.of(), "Custom", true, "Because", "m", 1L, T1);
    conditions = Conditions.set(conditions, "Ready", false, "Syncing", "m", 1L, T1);
    assertThat(conditions).extracting(Condition::getType).containsExactly("Custom", "Ready");
    assertThat(Conditions.isTrue(conditions, "Custom")).isTrue();
    assertThat(Conditions.isTrue(conditions, "Ready")).isFalse();
  }

  @Test
  void notReadyRecordsTheGenerationItObservedAndWithdrawnClaimsNothing() {
    ServiceRegistrationStatus synced = StatusCalculator.synced(null, 3, "7b", desired(2, List.of()), 2, Map.of(), Set.of(), T1);
    ServiceRegistrationStatus notReady = StatusCalculator.notReady(synced, 4, Reasons.ETCD_UNAVAILABLE, "down", T2);
    assertThat(notReady.getObservedGeneration()).isEqualTo(4);
    assertThat(notReady.getLeaseId()).isEqualTo("7b");
    assertThat(notReady.getRegisteredEndpoints()).isEqualTo(2);

    ServiceRegistrationStatus withdrawn = StatusCalculator.withdrawn(synced, 5, Reasons.NAME_NOT_ALLOWED, "refused", T2);
    assertThat(withdrawn.getObservedGeneration()).isEqualTo(5);
    assertThat(withdrawn.getLeaseId()).isNull();
    assertThat(withdrawn.getRegisteredEndpoints()).isZero();
    assertThat(condition(withdrawn, Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(condition(withdrawn, Conditions.READY).getReason()).isEqualTo(Reasons.NAME_NOT_ALLOWED);
    assertThat(condition(withdrawn, Conditions.ENDPOINTS_AVAILABLE).getStatus()).isEqualTo("False");
    assertThat(condition(withdrawn, Conditions.ENDPOINTS_AVAILABLE).getMessage()).isEqualTo("no endpoint is registered");
  }

  @Test
  void aSummaryShowsThreeNotesAndCountsTheRest() {
    assertThat(StatusCalculator.summary(List.of("a", "b", "c"))).isEqualTo("a, b, c");
    assertThat(StatusCalculator.summary(List.of("a", "b", "c", "d"))).isEqualTo("a, b, c and 1 more");
    assertThat(StatusCalculator.summary(List.of())).isEmpty();
  }

  @Test
  void aTypeListedTwiceEndsUpOnce() {
    List<Condition> twice = new java.util.ArrayList<>(Conditions.set(List.of(), "Ready", true, "Synced", "m", 1L, T1));
    twice.addAll(Conditions.set(List.of(), "Ready", false, "Old", "m", 1L, T1));
    assertThat(Conditions.set(twice, "Ready", true, "Synced", "n", 2L, T2)).singleElement()
        .satisfies(c -> assertThat(c.getMessage()).isEqualTo("n"));
  }

  @Test
  void aConditionIsReplacedWhereItStands() {
    List<Condition> conditions = Conditions.set(List.of(), "Ready", true, "Synced", "m", 1L, T1);
    conditions = Conditions.set(conditions, "Custom", true, "Because", "m", 1L, T1);
    assertThat(Conditions.set(conditions, "Ready", false, "EtcdUnavailable", "m", 2L, T2))
        .extracting(Condition::getType).containsExactly("Ready", "Custom");
  }

  @Test
  void theReadyMessageCountsPodsWithIgnoredAnnotationsInTheRightNumber() {
    java.util.function.IntFunction<String> message = pods -> {
      java.util.TreeMap<String, List<String>> ignored = new java.util.TreeMap<>();
      for (int i = 0; i < pods; i++) {
        ignored.put("pod-" + i, List.of("registrar.dev/weight='x' ignored"));
      }
      DesiredState desired = new DesiredState(new TreeMap<>(), new TreeSet<>(List.of("pod-0", "pod-1")), List.of(),
          new TreeSet<>(), ignored);
      return condition(StatusCalculator.synced(null, 1, "7b", desired, 0, Map.of(), Set.of(), T1), Conditions.READY)
          .getMessage();
    };
    assertThat(message.apply(1)).contains("; 1 pod has ignored registrar.dev annotations");
    assertThat(message.apply(2)).contains("; 2 pods have ignored registrar.dev annotations");
    assertThat(message.apply(0)).doesNotContain("ignored registrar.dev annotations");
  }

  @Test
  void aSharedNameListsTheOtherClustersAndSaysTheirPortsAgree() {
    ServiceRegistrationStatus synced = StatusCalculator.synced(null, 2, "abc", desired(1, List.of()), 1, Map.of(), Set.of(), T1);
    ServiceRegistrationStatus status = StatusCalculator.clusterSet(synced, true, Map.of("us", 3, "ap", 0), Map.of(),
        List.of("http=80"), 2, T1);
    assertThat(status.getOtherClusters()).extracting(Object::toString).containsExactly("ap=0", "us=3");
    Condition ready = condition(status, "Ready");
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("Synced");
    assertThat(ready.getMessage()).isEqualTo("1 endpoint registered under lease abc; shared with clusters ap (0), "
        + "us (3): 3 endpoints of theirs under the service");
    Condition consistent = condition(status, "ClusterSetConsistent");
    assertThat(consistent.getStatus()).isEqualTo("True");
    assertThat(consistent.getReason()).isEqualTo("SamePorts");
    assertThat(consistent.getMessage()).isEqualTo("every cluster sharing the name registers the ports http=80");
    assertThat(consistent.getObservedGeneration()).isEqualTo(2);
  }

  @Test
  void aSharedNameAloneSaysSoAndOneOtherEndpointIsSingular() {
    ServiceRegistrationStatus synced = StatusCalculator.synced(null, 1, "abc", desired(1, List.of()), 1, Map.of(), Set.of(), T1);
    ServiceRegistrationStatus alone = StatusCalculator.clusterSet(synced, true, Map.of(), Map.of(), List.of("http=80"), 1, T1);
    assertThat(alone.getOtherClusters()).isEmpty();
    assertThat(condition(alone, "Ready").getMessage()).isEqualTo("1 endpoint registered under lease abc");
    assertThat(condition(alone, "ClusterSetConsistent").getMessage()).isEqualTo("no other cluster shares the name yet");
    ServiceRegistrationStatus one = StatusCalculator.clusterSet(synced, true, Map.of("us", 1), Map.of(), List.of("http=80"), 1, T1);
    assertThat(condition(one, "Ready").getMessage()).endsWith("; shared with cluster us (1): 1 endpoint of theirs under the service");
  }

  @Test
  void portsThatDifferTurnClusterSetConsistentFalseAndReadyStaysAsItWas() {
    ServiceRegistrationStatus synced = StatusCalculator.synced(null, 1, "abc", desired(1, List.of()), 1, Map.of(), Set.of(), T1);
    ServiceRegistrationStatus status = StatusCalculator.clusterSet(synced, true, Map.of("us", 1),
        Map.of("us", List.of("http=8080")), List.of("http=80"), 1, T2);
    Condition consistent = condition(status, "ClusterSetConsistent");
    assertThat(consistent.getStatus()).isEqualTo("False");
    assertThat(consistent.getReason()).isEqualTo("InconsistentPorts");
    assertThat(consistent.getMessage()).isEqualTo("this cluster registers the ports http=80, but cluster us registers "
        + "http=8080; consumers see one service with different ports per cluster (every cluster still registers)");
    assertThat(consistent.getLastTransitionTime()).isEqualTo("2026-11-24T11:00:00Z");
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Ready").getLastTransitionTime()).isEqualTo("2026-11-24T10:00:00Z");
  }

  @Test
  void anExclusiveNameCarriesNeitherTheListNorTheCondition() {
    ServiceRegistrationStatus synced = StatusCalculator.synced(null, 1, "abc", desired(1, List.of()), 1, Map.of(), Set.of(), T1);
    ServiceRegistrationStatus wasShared = StatusCalculator.clusterSet(synced, true, Map.of("us", 1), Map.of(),
        List.of("http=80"), 1, T1);
    ServiceRegistrationStatus exclusive = StatusCalculator.clusterSet(wasShared, false, Map.of("us", 1), Map.of(),
        List.of("http=80"), 1, T1);
    assertThat(exclusive.getOtherClusters()).isNull();
    assertThat(Conditions.find(exclusive.getConditions(), "ClusterSetConsistent")).isEmpty();
    assertThat(Conditions.find(exclusive.getConditions(), "Ready")).isPresent();
    assertThat(wasShared.getOtherClusters()).as("the input is not changed").hasSize(1);
    // The usual Exclusive name, with nothing of a cluster set to clear, keeps its status as it is.
    assertThat(StatusCalculator.clusterSet(synced, false, Map.of("us", 1), Map.of("us", List.of("http=1")),
        List.of("http=80"), 1, T1)).isSameAs(synced);
    assertThat(synced.getOtherClusters()).isNull();
  }
}
