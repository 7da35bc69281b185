package dev.registrar.operator.model;

import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SpecValidationTest {

  static String problem(Consumer<ServiceRegistration> change) {
    ServiceRegistration registration = registration("shop", "orders", "orders", Map.of("app", "orders"),
        PortSpec.number("http", 80));
    change.accept(registration);
    return SpecValidation.problem(registration).orElse(null);
  }

  @Test
  void aValidSpecHasNoProblem() {
    assertThat(problem(r -> {})).isNull();
  }

  @Test
  void eachProblemNamesTheFieldAndTheRule() {
    assertThat(problem(r -> r.setSpec(null))).isEqualTo("spec is required");
    assertThat(problem(r -> r.getSpec().setServiceName("Orders/v1")))
        .startsWith("spec.serviceName 'Orders/v1' must be a DNS-1123 label");
    assertThat(problem(r -> {
      r.getSpec().setServiceName(null);
      r.getMetadata().setName("orders.v1");
    })).endsWith("(it defaults to metadata.name)");
    assertThat(problem(r -> r.getSpec().setSelector(new LabelSelector())))
        .isEqualTo("spec.selector must not be empty: set matchLabels or matchExpressions");
    assertThat(problem(r -> r.getSpec().setPorts(List.of()))).isEqualTo("spec.ports must list at least one port");
    assertThat(problem(r -> r.getSpec().setPorts(List.of(PortSpec.number("http", 80), PortSpec.number("http", 81)))))
        .isEqualTo("spec.ports[1].name 'http' is used by another port: names must be unique");
    assertThat(problem(r -> r.getSpec().setPorts(List.of(new PortSpec("http", 80, "grpc")))))
        .isEqualTo("spec.ports[0]: exactly one of port or containerPort must be set");
    assertThat(problem(r -> r.getSpec().setPorts(List.of(PortSpec.number("http", 0)))))
        .isEqualTo("spec.ports[0].port 0 is outside 1-65535");
    assertThat(problem(r -> r.getSpec().setLeaseTTLSeconds(5))).isEqualTo("spec.leaseTTLSeconds 5 is outside 15-3600");
  }

  @Test
  void aSpecThatPassesMakesAValueWithinTheLimitOnEveryPodNodeAndZone() {
    // Grow the metadata a character at a time up to the largest spec validation accepts...
    java.util.Map<String, String> metadata = new java.util.LinkedHashMap<>();
    String accepted = null;
    for (int length = 0; length < 32 * 256; length += 1) {
      metadata.clear();
      for (int entry = 0; entry * 256 < length; entry++) {
        metadata.put(("k" + entry + "-").repeat(30).substring(0, 63), "v".repeat(Math.min(256, length - entry * 256)));
      }
      java.util.Map<String, String> attempt = new java.util.LinkedHashMap<>(metadata);
      if (problem(r -> r.getSpec().setMetadata(attempt)) != null) {
        break;
      }
      accepted = length > 0 ? String.valueOf(length) : accepted;
    }
    assertThat(accepted).isNotNull();
    // ... then the largest value that spec can make, on a Pod, node and zone of the longest names, fits.
    int length = Integer.parseInt(accepted);
    java.util.Map<String, String> largest = new java.util.LinkedHashMap<>();
    for (int entry = 0; entry * 256 < length; entry++) {
      largest.put(("k" + entry + "-").repeat(30).substring(0, 63), "v".repeat(Math.min(256, length - entry * 256)));
    }
    dev.registrar.client.EndpointValue value = new dev.registrar.client.EndpointValue(null, 100,
        "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 65535, "http", "p".repeat(253), "shop", "n".repeat(253),
        "z".repeat(63), largest, new dev.registrar.client.EndpointValue.Owner("c".repeat(63), "shop", "orders",
            "00000000-0000-0000-0000-000000000000"));
    assertThat(dev.registrar.client.EndpointCodec.encode(value).length)
        .isLessThanOrEqualTo(dev.registrar.client.EndpointCodec.MAX_VALUE_BYTES);
  }

  static List<PortSpec> ports(int count) {
    return java.util.stream.IntStream.range(0, count).mapToObj(i -> PortSpec.number("p" + i, 8000 + i)).toList();
  }

  static Map<String, String> entries(int count) {
    Map<String, String> metadata = new java.util.TreeMap<>();
    for (int i = 0; i < count; i++) {
      metadata.put("k" + i, "v");
    }
    return metadata;
  }

  /** Each limit holds at its edge: the largest allowed passes, one more is refused with its message. */
  @Test
  void everyLimitAcceptsItsEdgeAndRefusesOneMore() {
    assertThat(problem(r -> r.getSpec().setPorts(ports(16)))).isNull();
    assertThat(problem(r -> r.getSpec().setPorts(ports(17)))).isEqualTo("spec.ports has 17 entries, more than the 16 allowed");
    assertThat(problem(r -> r.getSpec().setPorts(List.of(PortSpec.number("http", 1))))).isNull();
    assertThat(problem(r -> r.getSpec().setPorts(List.of(PortSpec.number("http", 65535))))).isNull();
    assertThat(problem(r -> r.getSpec().setPorts(List.of(PortSpec.number("http", 65536)))))
        .isEqualTo("spec.ports[0].port 65536 is outside 1-65535");
    assertThat(problem(r -> r.getSpec().setPorts(List.of(PortSpec.named("http", "a".repeat(15)))))).isNull();
    assertThat(problem(r -> r.getSpec().setPorts(List.of(PortSpec.named("http", "a".repeat(16))))))
        .isEqualTo("spec.ports[0].containerPort '" + "a".repeat(16)
            + "' must be a container port name: a DNS-1123 label of at most 15 characters");
    assertThat(problem(r -> r.getSpec().setPorts(List.of(PortSpec.named("http", "Grpc")))))
        .startsWith("spec.ports[0].containerPort 'Grpc' must be");
    assertThat(problem(r -> r.getSpec().setPorts(List.of(PortSpec.number(null, 80)))))
        .isEqualTo("spec.ports[0].name must be a DNS-1123 label");
    assertThat(problem(r -> r.getSpec().setPorts(List.of(PortSpec.number("http", 80), PortSpec.number("Web", 81)))))
        .isEqualTo("spec.ports[1].name must be a DNS-1123 label");
    assertThat(problem(r -> r.getSpec().setPorts(List.of(new PortSpec("http", null, null)))))
        .isEqualTo("spec.ports[0]: exactly one of port or containerPort must be set");
    assertThat(problem(r -> r.getSpec().setPorts(null))).isEqualTo("spec.ports must list at least one port");

    assertThat(problem(r -> r.getSpec().setVersion("v".repeat(64)))).isNull();
    assertThat(problem(r -> r.getSpec().setVersion("v".repeat(65)))).isEqualTo("spec.version is 65 characters, more than 64");
    assertThat(problem(r -> r.getSpec().setVersion("\uD83D\uDE80".repeat(64)))).as("an emoji counts once").isNull();

    assertThat(problem(r -> r.getSpec().setWeight(0))).isNull();
    assertThat(problem(r -> r.getSpec().setWeight(10000))).isNull();
    assertThat(problem(r -> r.getSpec().setWeight(-1))).isEqualTo("spec.weight -1 is outside 0-10000");
    assertThat(problem(r -> r.getSpec().setWeight(10001))).isEqualTo("spec.weight 10001 is outside 0-10000");

    assertThat(problem(r -> r.getSpec().setLeaseTTLSeconds(15))).isNull();
    assertThat(problem(r -> r.getSpec().setLeaseTTLSeconds(3600))).isNull();
    assertThat(problem(r -> r.getSpec().setLeaseTTLSeconds(14))).isEqualTo("spec.leaseTTLSeconds 14 is outside 15-3600");
    assertThat(problem(r -> r.getSpec().setLeaseTTLSeconds(3601))).isEqualTo("spec.leaseTTLSeconds 3601 is outside 15-3600");
  }

  @Test
  void metadataIsLimitedInEntriesKeysAndValues() {
    assertThat(problem(r -> r.getSpec().setMetadata(entries(32)))).isNull();
    assertThat(problem(r -> r.getSpec().setMetadata(entries(33))))
        .isEqualTo("spec.metadata has 33 entries, more than the 32 allowed");
    assertThat(problem(r -> r.getSpec().setMetadata(Map.of("k".repeat(63), "v")))).isNull();
    assertThat(problem(r -> r.getSpec().setMetadata(Map.of("k".repeat(64), "v"))))
        .isEqualTo("spec.metadata key '" + "k".repeat(20) + "...' must be 1 to 63 characters");
    assertThat(problem(r -> r.getSpec().setMetadata(Map.of("", "v"))))
        .isEqualTo("spec.metadata key '' must be 1 to 63 characters");
    assertThat(problem(r -> r.getSpec().setMetadata(Map.of("v", "x".repeat(256))))).isNull();
    assertThat(problem(r -> r.getSpec().setMetadata(Map.of("team", "x".repeat(257)))))
        .isEqualTo("spec.metadata['team'] is 257 characters, more than 256");
    Map<String, String> nullValue = new java.util.HashMap<>();
    nullValue.put("team", null);
    assertThat(problem(r -> r.getSpec().setMetadata(nullValue))).as("a null value reads as empty").isNull();
  }

  @Test
  void aLongKeyIsAbbreviatedAfterTwentyCharactersCountedAsTheApiServerCounts() {
    String twenty = "\uD83D\uDE80".repeat(20); // 20 characters, 40 UTF-16 units
    Map<String, String> refused = Map.of(twenty + "k".repeat(44), "v");
    assertThat(problem(r -> r.getSpec().setMetadata(refused)))
        .isEqualTo("spec.metadata key '" + twenty + "...' must be 1 to 63 characters");
    // A key of exactly 20 characters is never shortened (its problem here: it is accepted).
    assertThat(problem(r -> r.getSpec().setMetadata(Map.of(twenty, "v")))).isNull();
  }

  @Test
  void selectorExpressionsNeedValuesExactlyWhenTheirOperatorDoes() {
    java.util.function.Function<io.fabric8.kubernetes.api.model.LabelSelectorRequirement, String> with = requirement ->
        problem(r -> r.getSpec().setSelector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
            .addToMatchLabels("app", "orders").withMatchExpressions(
                new io.fabric8.kubernetes.api.model.LabelSelectorRequirement("tier", "Exists", List.of()), requirement)
            .build()));
    var requirement = (java.util.function.BiFunction<String, List<String>, io.fabric8.kubernetes.api.model.LabelSelectorRequirement>)
        (operator, values) -> new io.fabric8.kubernetes.api.model.LabelSelectorRequirement("track", operator, values);
    assertThat(with.apply(requirement.apply("In", List.of("stable")))).isNull();
    assertThat(with.apply(requirement.apply("NotIn", List.of("canary")))).isNull();
    assertThat(with.apply(requirement.apply("DoesNotExist", null))).isNull();
    assertThat(with.apply(requirement.apply("In", List.of())))
        .isEqualTo("spec.selector.matchExpressions[1]: operator In needs values");
    assertThat(with.apply(requirement.apply("NotIn", null)))
        .isEqualTo("spec.selector.matchExpressions[1]: operator NotIn needs values");
    assertThat(with.apply(requirement.apply("Exists", List.of("x"))))
        .isEqualTo("spec.selector.matchExpressions[1]: operator Exists takes no values");
    assertThat(with.apply(requirement.apply("DoesNotExist", List.of("x"))))
        .isEqualTo("spec.selector.matchExpressions[1]: operator DoesNotExist takes no values");
    assertThat(with.apply(requirement.apply("Matches", List.of("x"))))
        .isEqualTo("spec.selector.matchExpressions[1].operator 'Matches' must be In, NotIn, Exists or DoesNotExist");
  }

  @Test
  void anUnreadableSpecIsReportedWithItsReasonBeforeAnythingElse() {
    assertThat(problem(r -> r.setSpec(dev.registrar.operator.customresource.ServiceRegistrationSpec.unreadable(
        "spec.ports[0].port: 'http' is not a number")))).isEqualTo("spec.ports[0].port: 'http' is not a number");
  }

  @Test
  void aSpecWhoseLargestValueWouldExceed8KiBIsRefusedWithTheSize() {
    Map<String, String> metadata = new java.util.TreeMap<>();
    for (int i = 0; i < 32; i++) {
      metadata.put("key-" + i, "v".repeat(256));
    }
    assertThat(problem(r -> r.getSpec().setMetadata(metadata)))
        .matches("spec.metadata and spec.version make a registry value of up to \\d+ bytes, more than the 8192 allowed");
  }
}
