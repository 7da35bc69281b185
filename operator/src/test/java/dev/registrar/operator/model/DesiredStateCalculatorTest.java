package dev.registrar.operator.model;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.RegistryPrefix;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredStateCalculatorTest {

  static final RegistryContext CONTEXT = new RegistryContext(RegistryPrefix.DEFAULT, "prod");
  static final Map<String, String> APP = Map.of("app", "orders");

  static ServiceRegistration orders(PortSpec... ports) {
    ServiceRegistration registration = registration("shop", "orders", "orders", APP, ports);
    registration.getMetadata().setUid("uid-1");
    return registration;
  }

  static DesiredState compute(ServiceRegistration registration, Pod... pods) {
    return DesiredStateCalculator.compute(registration, List.of(pods), CONTEXT);
  }

  static Pod ready(String name, String ip) {
    return pod("shop", name, ip, APP, true);
  }

  @Test
  void oneKeyPerReadyPodPerPortWithTheDesignsValue() {
    ServiceRegistration registration = orders(PortSpec.number("http", 8080), PortSpec.named("grpc", "grpc"));
    registration.getSpec().setVersion("1.2.0");
    registration.getSpec().setMetadata(Map.of("team", "payments"));

    DesiredState desired = compute(registration, ready("a", "10.0.0.1"), ready("b", "10.0.0.2"));

    assertThat(desired.endpoints()).containsOnlyKeys(
        "/services/orders/10.0.0.1:8080", "/services/orders/10.0.0.1:9090",
        "/services/orders/10.0.0.2:8080", "/services/orders/10.0.0.2:9090");
    assertThat(desired.matchedPods()).isEqualTo(2);
    assertThat(desired.skipped()).isEmpty();
    EndpointValue value = desired.endpoints().get("/services/orders/10.0.0.2:9090").value();
    assertThat(value).isEqualTo(new EndpointValue("1.2.0", 100, "10.0.0.2", 9090, "grpc", "b", "shop",
        "node-1", Map.of("team", "payments"), new EndpointValue.Owner("prod", "shop", "orders", "uid-1")));
    assertThat(desired.encoded().get("/services/orders/10.0.0.2:9090"))
        .isEqualTo(EndpointCodec.encode(value));
  }

  @Test
  void onlyReadyUnfinishedPodsWithAnIpThatAreNotTerminatingAreRegistered() {
    Pod notReady = pod("shop", "not-ready", "10.0.0.2", APP, false);
    Pod noIp = ready("no-ip", "10.0.0.3");
    noIp.getStatus().setPodIP(null);
    Pod succeeded = ready("succeeded", "10.0.0.4");
    succeeded.getStatus().setPhase("Succeeded");
    Pod failed = ready("failed", "10.0.0.5");
    failed.getStatus().setPhase("Failed");
    Pod terminating = ready("terminating", "10.0.0.6");
    terminating.getMetadata().setDeletionTimestamp("2026-11-24T00:00:00Z");
    Pod noConditions = ready("no-conditions", "10.0.0.7");
    noConditions.getStatus().setConditions(List.of());

    // The phase only excludes finished Pods (EndpointSlice semantics): a Pending Pod that is
    // Ready and has an IP counts, as the EndpointSlice controller counts it.
    Pod pending = ready("pending", "10.0.0.8");
    pending.getStatus().setPhase("Pending");

    DesiredState desired = compute(orders(PortSpec.number("http", 80)), ready("ok", "10.0.0.1"),
        notReady, noIp, succeeded, failed, terminating, noConditions, pending);

    assertThat(desired.endpoints()).containsOnlyKeys("/services/orders/10.0.0.1:80", "/services/orders/10.0.0.8:80");
    assertThat(desired.matchedPods()).isEqualTo(8);
  }

  @Test
  void publishNotReadyAddressesAddsUnreadyPodsButNeverTerminatingFinishedOrIpLessOnes() {
    ServiceRegistration registration = orders(PortSpec.number("http", 80));
    registration.getSpec().setPublishNotReadyAddresses(true);
    Pod notReady = pod("shop", "not-ready", "10.0.0.2", APP, false);
    Pod terminating = pod("shop", "terminating", "10.0.0.3", APP, false);
    terminating.getMetadata().setDeletionTimestamp("2026-11-24T00:00:00Z");
    Pod failed = pod("shop", "failed", "10.0.0.4", APP, false);
    failed.getStatus().setPhase("Failed");
    Pod noIp = pod("shop", "no-ip", "10.0.0.5", APP, false);
    noIp.getStatus().setPodIP("");

    DesiredState desired = compute(registration, ready("ok", "10.0.0.1"), notReady, terminating, failed, noIp);

    assertThat(desired.endpoints()).containsOnlyKeys("/services/orders/10.0.0.1:80", "/services/orders/10.0.0.2:80");
  }

  @Test
  void podsOutsideTheSelectorOrTheNamespaceAreNotMatched() {
    Pod otherLabels = pod("shop", "other", "10.0.0.2", Map.of("app", "payments"), true);
    Pod otherNamespace = pod("elsewhere", "twin", "10.0.0.3", APP, true);
    Pod noLabels = pod("shop", "bare", "10.0.0.4", null, true);

    DesiredState desired = compute(orders(PortSpec.number("http", 80)), ready("ok", "10.0.0.1"),
        otherLabels, otherNamespace, noLabels);

    assertThat(desired.endpoints()).containsOnlyKeys("/services/orders/10.0.0.1:80");
    assertThat(desired.matchedPodNames()).containsExactly("ok");
  }

  @Test
  void matchExpressionsSelectToo() {
    ServiceRegistration registration = orders(PortSpec.number("http", 80));
    registration.getSpec().setSelector(new LabelSelectorBuilder()
        .withMatchExpressions(new LabelSelectorRequirementBuilder().withKey("app").withOperator("In")
            .withValues("orders", "orders-canary").build())
        .build());
    Pod canary = pod("shop", "canary", "10.0.0.2", Map.of("app", "orders-canary"), true);
    Pod other = pod("shop", "other", "10.0.0.3", Map.of("app", "other"), true);

    assertThat(compute(registration, ready("ok", "10.0.0.1"), canary, other).endpoints())
        .containsOnlyKeys("/services/orders/10.0.0.1:80", "/services/orders/10.0.0.2:80");
  }

  @Test
  void namedContainerPortsResolvePerPodAndAPodWithoutOneIsSkippedAndCounted() {
    Pod custom = ready("custom", "10.0.0.2");
    custom.getSpec().getContainers().get(0).setPorts(List.of(
        new ContainerPortBuilder().withName("grpc").withContainerPort(9191).build()));
    Pod lacking = ready("lacking", "10.0.0.3");
    lacking.getSpec().getContainers().get(0).setPorts(null);

    DesiredState desired = compute(orders(PortSpec.number("http", 80), PortSpec.named("grpc", "grpc")),
        ready("standard", "10.0.0.1"), custom, lacking);

    assertThat(desired.endpoints()).containsOnlyKeys(
        "/services/orders/10.0.0.1:80", "/services/orders/10.0.0.1:9090",
        "/services/orders/10.0.0.2:80", "/services/orders/10.0.0.2:9191",
        "/services/orders/10.0.0.3:80");
    assertThat(desired.skipped()).containsExactly("pod lacking has no container port named 'grpc'");
  }

  @Test
  void ipv6PodsGetBracketedKeysAndPlainAddresses() {
    DesiredState desired = compute(orders(PortSpec.number("http", 80)), ready("v6", "fd00::1"));
    assertThat(desired.endpoints()).containsOnlyKeys("/services/orders/[fd00::1]:80");
    assertThat(desired.endpoints().get("/services/orders/[fd00::1]:80").value().address()).isEqualTo("fd00::1");
  }

  @Test
  void twoPortsResolvingToOneNumberKeepTheFirstAndSayWhy() {
    DesiredState desired = compute(orders(PortSpec.number("grpc-fixed", 9090), PortSpec.named("grpc", "grpc")),
        ready("a", "10.0.0.1"));
    assertThat(desired.endpoints()).containsOnlyKeys("/services/orders/10.0.0.1:9090");
    assertThat(desired.endpoints().get("/services/orders/10.0.0.1:9090").value().portName()).isEqualTo("grpc-fixed");
    assertThat(desired.skipped()).singleElement().asString()
        .contains("10.0.0.1:9090 is already registered by a port grpc-fixed");
  }

  @Test
  void serviceNameDefaultsToTheObjectsName() {
    ServiceRegistration registration = orders(PortSpec.number("http", 80));
    registration.getSpec().setServiceName(null);
    registration.getMetadata().setName("checkout");
    assertThat(compute(registration, ready("a", "10.0.0.1")).endpoints())
        .containsOnlyKeys("/services/checkout/10.0.0.1:80");
  }

  @Test
  void theResultDoesNotDependOnPodOrder() {
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pods.add(ready("p" + i, "10.0.1." + i));
    }
    // Two Pods sharing an IP (host network): the same one wins whatever the order.
    pods.add(ready("host-a", "10.0.2.1"));
    pods.add(ready("host-b", "10.0.2.1"));
    DesiredState first = DesiredStateCalculator.compute(orders(PortSpec.number("http", 80)), pods, CONTEXT);
    Collections.reverse(pods);
    DesiredState second = DesiredStateCalculator.compute(orders(PortSpec.number("http", 80)), pods, CONTEXT);
    assertThat(second.encoded()).containsExactlyEntriesOf(first.encoded());
    assertThat(first.endpoints().get("/services/orders/10.0.2.1:80").value().pod()).isEqualTo("host-a");
  }

  @Test
  void aSpecWhoseValueWouldExceed8KiBIsRefused() {
    ServiceRegistration registration = orders(PortSpec.number("http", 80));
    Map<String, String> metadata = new java.util.HashMap<>();
    for (int i = 0; i < 32; i++) {
      metadata.put("key-" + i, "v".repeat(256));
    }
    registration.getSpec().setMetadata(metadata);
    assertThatThrownBy(() -> compute(registration, ready("a", "10.0.0.1")))
        .isInstanceOf(EndpointCodec.ValueTooLargeException.class);
  }

  @Test
  void aCustomPrefixAndWeightAreUsed() {
    ServiceRegistration registration = orders(PortSpec.number("http", 80));
    registration.getSpec().setWeight(0);
    DesiredState desired = DesiredStateCalculator.compute(registration, List.of(ready("a", "10.0.0.1")),
        new RegistryContext(new RegistryPrefix("/registry/prod"), "eu"));
    assertThat(desired.endpoints()).containsOnlyKeys("/registry/prod/orders/10.0.0.1:80");
    assertThat(desired.endpoints().values().iterator().next().value().weight()).isZero();
    assertThat(desired.endpoints().values().iterator().next().value().owner().cluster()).isEqualTo("eu");
  }

  @Test
  void theValueCarriesTheZoneOfThePodsNodeAndNoneWhenTheNodeHasNoZone() {
    Pod onA = ready("a", "10.0.0.1");
    Pod unlabelled = ready("b", "10.0.0.2");
    unlabelled.getSpec().setNodeName("node-2");
    Zones zones = node -> node.equals("node-1") ? java.util.Optional.of("eu-west-1a") : java.util.Optional.empty();

    DesiredState desired = DesiredStateCalculator.compute(orders(PortSpec.number("http", 80)), List.of(onA, unlabelled),
        CONTEXT, zones);

    assertThat(desired.endpoints().get("/services/orders/10.0.0.1:80").value().zone()).isEqualTo("eu-west-1a");
    assertThat(new String(desired.encoded().get("/services/orders/10.0.0.1:80"), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"node\":\"node-1\",\"zone\":\"eu-west-1a\"");
    assertThat(desired.endpoints().get("/services/orders/10.0.0.2:80").value().zone()).isNull();
    assertThat(new String(desired.encoded().get("/services/orders/10.0.0.2:80"), java.nio.charset.StandardCharsets.UTF_8))
        .doesNotContain("zone");
  }

  @Test
  void aCanaryPodsAnnotationsChangeOnlyItsOwnValue() {
    ServiceRegistration registration = orders(PortSpec.number("http", 80));
    registration.getSpec().setVersion("1.4.0");
    registration.getSpec().setMetadata(Map.of("track", "stable"));
    Pod stable = ready("a", "10.0.0.1");
    Pod canary = ready("b", "10.0.0.2");
    DesiredState before = compute(registration, stable, canary);

    canary.getMetadata().setAnnotations(Map.of("registrar.dev/weight", "5", "registrar.dev/version", "2.0.0-rc1",
        "metadata.registrar.dev/track", "canary"));
    DesiredState after = compute(registration, stable, canary);

    assertThat(after.encoded().get("/services/orders/10.0.0.1:80"))
        .isEqualTo(before.encoded().get("/services/orders/10.0.0.1:80"));
    EndpointValue value = after.endpoints().get("/services/orders/10.0.0.2:80").value();
    assertThat(value.weight()).isEqualTo(5);
    assertThat(value.version()).isEqualTo("2.0.0-rc1");
    assertThat(value.metadata()).isEqualTo(Map.of("track", "canary"));
    assertThat(after.ignoredOverrides()).isEmpty();
  }

  @Test
  void overridesThatWouldMakeTheValueTooLargeAreIgnoredAndThePodStaysRegistered() {
    ServiceRegistration registration = orders(PortSpec.number("http", 80));
    Pod pod = ready("a", "10.0.0.1");
    Map<String, String> annotations = new java.util.HashMap<>();
    java.util.stream.IntStream.range(0, 32).forEach(i -> annotations.put("metadata.registrar.dev/k" + i, "v".repeat(256)));
    annotations.put("registrar.dev/weight", "7");
    pod.getMetadata().setAnnotations(annotations);

    DesiredState desired = compute(registration, pod);

    EndpointValue value = desired.endpoints().get("/services/orders/10.0.0.1:80").value();
    assertThat(value.weight()).isEqualTo(100);
    assertThat(value.metadata()).isEmpty();
    assertThat(desired.ignoredOverrides().get("a")).singleElement().asString()
        .startsWith("registrar.dev annotations ignored: with them the value is").endsWith("more than the 8192 allowed");
  }

  @Test
  void aGatedPodCountsAsRegistrableOnContainersReadyOnlyWhileTheGateIsServed() {
    Pod gated = dev.registrar.operator.testing.TestObjects.gatedPod("shop", "a", "10.0.0.1", APP, true);

    assertThat(compute(orders(PortSpec.number("http", 80)), gated).endpoints()).hasSize(1);
    assertThat(DesiredStateCalculator.compute(orders(PortSpec.number("http", 80)), List.of(gated),
        new RegistryContext(RegistryPrefix.DEFAULT, "prod", false, true)).endpoints()).isEmpty();
  }
}
