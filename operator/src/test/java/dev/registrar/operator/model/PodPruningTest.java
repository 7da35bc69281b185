package dev.registrar.operator.model;

import static dev.registrar.operator.testing.TestObjects.deploymentPod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.client.RegistryPrefix;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodPruningTest {

  static final Map<String, String> APP = Map.of("app", "orders");

  @Test
  void keepsWhatTheOperatorReadsAndDropsTheRest() {
    Pod full = deploymentPod("shop", "orders-7d9f8-abcde", "10.0.0.7", APP, true);
    Map<String, String> annotations = new HashMap<>(full.getMetadata().getAnnotations());
    annotations.put("registrar.dev/weight", "5");
    annotations.put("metadata.registrar.dev/track", "canary");
    full.getMetadata().setAnnotations(annotations);
    full.getMetadata().setDeletionTimestamp("2026-11-30T00:00:00Z");
    full.getSpec().setReadinessGates(List.of(new PodReadinessGate("registrar.dev/registered")));

    Pod pruned = PodPruning.prune(full);

    assertThat(pruned.getMetadata().getName()).isEqualTo("orders-7d9f8-abcde");
    assertThat(pruned.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(pruned.getMetadata().getUid()).isEqualTo(full.getMetadata().getUid());
    assertThat(pruned.getMetadata().getResourceVersion()).isEqualTo("12345");
    assertThat(pruned.getMetadata().getLabels()).isEqualTo(APP);
    assertThat(pruned.getMetadata().getDeletionTimestamp()).isEqualTo("2026-11-30T00:00:00Z");
    assertThat(pruned.getMetadata().getAnnotations())
        .containsOnlyKeys("registrar.dev/weight", "metadata.registrar.dev/track");
    assertThat(pruned.getMetadata().getManagedFields()).isEmpty();
    assertThat(pruned.getMetadata().getOwnerReferences()).isEmpty();
    assertThat(pruned.getSpec().getNodeName()).isEqualTo("node-1");
    assertThat(pruned.getSpec().getReadinessGates()).extracting(PodReadinessGate::getConditionType)
        .containsExactly("registrar.dev/registered");
    assertThat(pruned.getSpec().getContainers()).singleElement().satisfies(container -> {
      assertThat(container.getName()).isEqualTo("app");
      assertThat(container.getPorts()).singleElement().satisfies(port -> {
        assertThat(port.getName()).isEqualTo("grpc");
        assertThat(port.getContainerPort()).isEqualTo(9090);
      });
      assertThat(container.getEnv()).isNull(); // nothing reads it: not even an empty list is kept
      assertThat(container.getImage()).isNull();
    });
    assertThat(pruned.getSpec().getVolumes()).isNull();
    assertThat(pruned.getStatus().getPhase()).isEqualTo("Running");
    assertThat(pruned.getStatus().getPodIP()).isEqualTo("10.0.0.7");
    assertThat(pruned.getStatus().getConditions()).singleElement().satisfies(condition -> {
      assertThat(condition.getType()).isEqualTo("Ready");
      assertThat(condition.getStatus()).isEqualTo("True");
      assertThat(condition.getLastTransitionTime()).isEqualTo("2026-11-24T00:00:00Z");
    });
    assertThat(pruned.getStatus().getContainerStatuses()).isNull();
    // One shared, empty map of additional properties instead of one per object.
    assertThat(pruned.getAdditionalProperties()).isSameAs(pruned.getSpec().getAdditionalProperties())
        .isSameAs(pruned.getStatus().getConditions().get(0).getAdditionalProperties());
    assertThat(pruned.getAdditionalProperties()).isEmpty();

    int before = Serialization.asJson(full).getBytes(StandardCharsets.UTF_8).length;
    int after = Serialization.asJson(pruned).getBytes(StandardCharsets.UTF_8).length;
    System.out.printf("pod pruning: %d JSON bytes -> %d%n", before, after);
    assertThat(after).isLessThan(before / 5);
  }

  /** What the cache does not keep costs nothing: no list, and one shared empty map of extra properties. */
  @Test
  void unreadListsAreDroppedAndEveryObjectSharesOneEmptyPropertiesMap() {
    Pod full = deploymentPod("shop", "orders-7d9f8-abcde", "10.0.0.7", APP, true);
    full.setApiVersion("v1");
    full.setKind("Pod");
    Pod pruned = PodPruning.prune(full);
    assertThat(pruned.getApiVersion()).isEqualTo("v1");
    assertThat(pruned.getKind()).isEqualTo("Pod");
    var spec = pruned.getSpec();
    assertThat(java.util.Arrays.asList(spec.getEphemeralContainers(), spec.getHostAliases(), spec.getImagePullSecrets(),
        spec.getInitContainers(), spec.getResourceClaims(), spec.getSchedulingGates(), spec.getTolerations(),
        spec.getTopologySpreadConstraints(), spec.getVolumes())).containsOnlyNulls();
    assertThat(spec.getNodeSelector()).isNull();
    assertThat(spec.getOverhead()).isNull();
    var container = spec.getContainers().get(0);
    assertThat(java.util.Arrays.asList(container.getArgs(), container.getCommand(), container.getEnv(),
        container.getEnvFrom(), container.getResizePolicy(), container.getRestartPolicyRules(),
        container.getVolumeDevices(), container.getVolumeMounts())).containsOnlyNulls();
    var status = pruned.getStatus();
    assertThat(java.util.Arrays.asList(status.getContainerStatuses(), status.getEphemeralContainerStatuses(),
        status.getHostIPs(), status.getInitContainerStatuses(), status.getResourceClaimStatuses())).containsOnlyNulls();
    Map<String, Object> shared = pruned.getAdditionalProperties();
    assertThat(shared).isEmpty();
    assertThat(List.of(pruned.getMetadata().getAdditionalProperties(), spec.getAdditionalProperties(),
        container.getAdditionalProperties(), container.getPorts().get(0).getAdditionalProperties(),
        status.getAdditionalProperties(), status.getConditions().get(0).getAdditionalProperties()))
        .allSatisfy(properties -> assertThat(properties).isSameAs(shared));
  }

  @Test
  void emptyPartsStayEmptyNotNull() {
    Pod pruned = PodPruning.prune(dev.registrar.operator.testing.TestObjects.pod("shop", "a", "10.0.0.1", APP, true));
    assertThat(pruned.getMetadata().getAnnotations()).isNotNull().isEmpty();
    assertThat(pruned.getSpec().getReadinessGates()).isNotNull().isEmpty();
    assertThat(pruned.getStatus().getPodIPs()).isNotNull().isEmpty();
  }

  /** The operator's whole view of a Pod is unchanged: the same keys, values and skips. */
  @Test
  void theDesiredStateOfPrunedPodsIsTheDesiredStateOfFullOnes() {
    ServiceRegistration registration = registration("shop", "orders", "orders", APP,
        PortSpec.number("http", 8080), PortSpec.named("grpc", "grpc"), PortSpec.named("admin", "admin"));
    registration.getMetadata().setUid("uid-1");
    registration.getSpec().setMetadata(Map.of("team", "payments"));
    List<Pod> pods = List.of(deploymentPod("shop", "a", "10.0.0.1", APP, true),
        deploymentPod("shop", "b", "10.0.0.2", APP, false), deploymentPod("shop", "c", "10.0.0.3", APP, true));
    RegistryContext context = new RegistryContext(RegistryPrefix.DEFAULT, "prod");

    DesiredState full = DesiredStateCalculator.compute(registration, pods, context);
    DesiredState pruned = DesiredStateCalculator.compute(registration, pods.stream().map(PodPruning::prune).toList(),
        context);

    assertThat(pruned).usingRecursiveComparison().isEqualTo(full);
    assertThat(pruned.endpoints()).hasSize(4);
  }

  @Test
  void aPodUpdateTriggersAReconcileOnlyWhenItChangesWhatAReconcileReads() {
    Pod before = dev.registrar.operator.testing.TestObjects.gatedPod("shop", "orders-3", "10.0.0.3", Map.of("app", "orders"), true);
    before.getMetadata().setResourceVersion("1");
    Pod gateWritten = new io.fabric8.kubernetes.api.model.PodBuilder(before).editMetadata().withResourceVersion("2")
        .endMetadata().build();
    gateWritten.getStatus().getConditions().add(new io.fabric8.kubernetes.api.model.PodConditionBuilder()
        .withType("registrar.dev/registered").withStatus("True").withReason("Registered").build());
    Pod foreignAnnotation = new io.fabric8.kubernetes.api.model.PodBuilder(before).editMetadata()
        .withResourceVersion("3").addToAnnotations("deployment.kubernetes.io/revision", "4").endMetadata().build();
    Pod override = new io.fabric8.kubernetes.api.model.PodBuilder(before).editMetadata()
        .addToAnnotations("registrar.dev/weight", "5").endMetadata().build();
    Pod relabelled = new io.fabric8.kubernetes.api.model.PodBuilder(before).editMetadata()
        .addToLabels("track", "canary").endMetadata().build();
    Pod notReady = new io.fabric8.kubernetes.api.model.PodBuilder(before).build();
    notReady.getStatus().getConditions().get(1).setStatus("False");

    assertThat(PodPruning.nothingReadChanged(before, gateWritten)).isTrue();
    assertThat(PodPruning.nothingReadChanged(before, foreignAnnotation)).isTrue();
    assertThat(PodPruning.nothingReadChanged(before, override)).isFalse();
    assertThat(PodPruning.nothingReadChanged(before, relabelled)).isFalse();
    assertThat(PodPruning.nothingReadChanged(before, notReady)).isFalse();
  }

  @Test
  void keepsTheKindTheProtocolThePodIpsAndOnlyTheGatesReason() {
    Pod full = dev.registrar.operator.testing.TestObjects.gatedPod("shop", "a", "10.0.0.1", APP, true);
    full.setApiVersion("v1");
    full.setKind("Pod");
    full.getSpec().getContainers().get(0).getPorts().get(0).setProtocol("UDP");
    full.getStatus().setPodIPs(List.of(new io.fabric8.kubernetes.api.model.PodIP("10.0.0.1"),
        new io.fabric8.kubernetes.api.model.PodIP("fd00::1")));
    full.getStatus().getConditions().add(new io.fabric8.kubernetes.api.model.PodConditionBuilder()
        .withType(PodReadiness.GATE).withStatus("False").withReason("RegistrationNotReady").build());

    Pod pruned = PodPruning.prune(full);

    assertThat(pruned.getApiVersion()).isEqualTo("v1");
    assertThat(pruned.getKind()).isEqualTo("Pod");
    assertThat(pruned.getSpec().getContainers().get(0).getPorts().get(0).getProtocol()).isEqualTo("UDP");
    assertThat(pruned.getStatus().getPodIPs()).extracting(io.fabric8.kubernetes.api.model.PodIP::getIp)
        .containsExactly("10.0.0.1", "fd00::1");
    assertThat(PodReadiness.condition(pruned, PodReadiness.GATE).orElseThrow().getReason()).isEqualTo("RegistrationNotReady");
    assertThat(PodReadiness.condition(pruned, "Ready").orElseThrow().getReason()).as("other reasons are dropped").isNull();
  }
}
