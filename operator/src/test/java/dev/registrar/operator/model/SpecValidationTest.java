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
}
