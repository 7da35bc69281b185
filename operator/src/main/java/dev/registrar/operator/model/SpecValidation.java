package dev.registrar.operator.model;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.ServiceNames;
import dev.registrar.operator.customresource.Limits;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.customresource.ServiceRegistrationSpec;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The operator's own check of a spec, for clusters whose CRD is older than the operator (or an
 * API server that did not validate): the first problem, naming the field and the rule.
 */
public final class SpecValidation {

  static final int MAX_PORT_NAME = Limits.MAX_CONTAINER_PORT_NAME;
  static final int MAX_VERSION = Limits.MAX_VERSION;
  static final int MAX_WEIGHT = Limits.MAX_WEIGHT;

  private SpecValidation() {}

  public static Optional<String> problem(ServiceRegistration registration) {
    ServiceRegistrationSpec spec = registration.getSpec();
    if (spec == null) {
      return Optional.of("spec is required");
    }
    if (spec.unreadable().isPresent()) {
      return spec.unreadable();
    }
    String serviceName = registration.effectiveServiceName();
    if (!ServiceNames.isValid(serviceName)) {
      return Optional.of("spec.serviceName '" + serviceName + "' must be a DNS-1123 label: lowercase "
          + "letters, digits and '-', at most " + Limits.MAX_SERVICE_NAME + " characters"
          + (spec.getServiceName() == null ? " (it defaults to metadata.name)" : ""));
    }
    if (LabelSelectors.isEmpty(spec.getSelector())) {
      return Optional.of("spec.selector must not be empty: set matchLabels or matchExpressions");
    }
    Optional<String> selector = selectorProblem(spec);
    if (selector.isPresent()) {
      return selector;
    }
    if (spec.getPorts() == null || spec.getPorts().isEmpty()) {
      return Optional.of("spec.ports must list at least one port");
    }
    if (spec.getPorts().size() > ServiceRegistrationSpec.MAX_PORTS) {
      return Optional.of("spec.ports has " + spec.getPorts().size() + " entries, more than the "
          + ServiceRegistrationSpec.MAX_PORTS + " allowed");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < spec.getPorts().size(); i++) {
      PortSpec port = spec.getPorts().get(i);
      String field = "spec.ports[" + i + "]";
      if (port.getName() == null || !ServiceNames.isValid(port.getName())) {
        return Optional.of(field + ".name must be a DNS-1123 label");
      }
      if (!names.add(port.getName())) {
        return Optional.of(field + ".name '" + port.getName() + "' is used by another port: names must be unique");
      }
      if ((port.getPort() == null) == (port.getContainerPort() == null)) {
        return Optional.of(field + ": exactly one of port or containerPort must be set");
      }
      if (port.getPort() != null && (port.getPort() < Limits.MIN_PORT || port.getPort() > Limits.MAX_PORT)) {
        return Optional.of(field + ".port " + port.getPort() + " is outside " + Limits.MIN_PORT + "-" + Limits.MAX_PORT);
      }
      if (port.getContainerPort() != null && (characters(port.getContainerPort()) > MAX_PORT_NAME
          || !ServiceNames.isValid(port.getContainerPort()))) {
        return Optional.of(field + ".containerPort '" + port.getContainerPort()
            + "' must be a container port name: a DNS-1123 label of at most " + MAX_PORT_NAME + " characters");
      }
    }
    if (spec.getVersion() != null && characters(spec.getVersion()) > MAX_VERSION) {
      return Optional.of("spec.version is " + characters(spec.getVersion()) + " characters, more than "
          + MAX_VERSION);
    }
    int weight = spec.effectiveWeight();
    if (weight < Limits.MIN_WEIGHT || weight > MAX_WEIGHT) {
      return Optional.of("spec.weight " + weight + " is outside 0-" + MAX_WEIGHT);
    }
    Optional<String> metadata = metadataProblem(spec.getMetadata());
    if (metadata.isPresent()) {
      return metadata;
    }
    int ttl = spec.effectiveLeaseTTLSeconds();
    if (ttl < ServiceRegistrationSpec.MIN_LEASE_TTL_SECONDS || ttl > ServiceRegistrationSpec.MAX_LEASE_TTL_SECONDS) {
      return Optional.of("spec.leaseTTLSeconds " + ttl + " is outside "
          + ServiceRegistrationSpec.MIN_LEASE_TTL_SECONDS + "-" + ServiceRegistrationSpec.MAX_LEASE_TTL_SECONDS);
    }
    return valueSizeProblem(registration);
  }

  private static Optional<String> selectorProblem(ServiceRegistrationSpec spec) {
    var expressions = spec.getSelector().getMatchExpressions();
    for (int i = 0; expressions != null && i < expressions.size(); i++) {
      var requirement = expressions.get(i);
      String field = "spec.selector.matchExpressions[" + i + "]";
      boolean hasValues = requirement.getValues() != null && !requirement.getValues().isEmpty();
      String operator = String.valueOf(requirement.getOperator());
      switch (operator) {
        case "In", "NotIn" -> {
          if (!hasValues) {
            return Optional.of(field + ": operator " + operator + " needs values");
          }
        }
        case "Exists", "DoesNotExist" -> {
          if (hasValues) {
            return Optional.of(field + ": operator " + operator + " takes no values");
          }
        }
        default -> {
          return Optional.of(field + ".operator '" + operator + "' must be In, NotIn, Exists or DoesNotExist");
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> metadataProblem(Map<String, String> metadata) {
    if (metadata == null) {
      return Optional.empty();
    }
    if (metadata.size() > ServiceRegistrationSpec.MAX_METADATA_ENTRIES) {
      return Optional.of("spec.metadata has " + metadata.size() + " entries, more than the "
          + ServiceRegistrationSpec.MAX_METADATA_ENTRIES + " allowed");
    }
    for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
      int keyLength = characters(entry.getKey());
      if (keyLength < 1 || keyLength > ServiceRegistrationSpec.MAX_METADATA_KEY_LENGTH) {
        return Optional.of("spec.metadata key '" + abbreviate(entry.getKey()) + "' must be 1 to "
            + ServiceRegistrationSpec.MAX_METADATA_KEY_LENGTH + " characters");
      }
      String value = entry.getValue() == null ? "" : entry.getValue();
      if (characters(value) > ServiceRegistrationSpec.MAX_METADATA_VALUE_LENGTH) {
        return Optional.of("spec.metadata['" + entry.getKey() + "'] is " + characters(value)
            + " characters, more than " + ServiceRegistrationSpec.MAX_METADATA_VALUE_LENGTH);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a value could exceed the registry's 8 KiB: encode one for the largest Pod, node and
   * address Kubernetes allows, so that the answer does not depend on which Pods happen to run.
   */
  private static Optional<String> valueSizeProblem(ServiceRegistration registration) {
    ServiceRegistrationSpec spec = registration.getSpec();
    String longestPortName = spec.getPorts().stream().map(PortSpec::getName)
        .max(java.util.Comparator.comparingInt(String::length)).orElse("");
    // The longest zone too: a label value (the node's topology.kubernetes.io/zone) is at most 63.
    EndpointValue probe = new EndpointValue(spec.getVersion(), spec.effectiveWeight(),
        "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 65535, longestPortName, "p".repeat(253),
        registration.getMetadata().getNamespace(), "n".repeat(253), "z".repeat(63), spec.getMetadata(),
        new EndpointValue.Owner("c".repeat(63), registration.getMetadata().getNamespace(),
            registration.getMetadata().getName(), "00000000-0000-0000-0000-000000000000"));
    try {
      EndpointCodec.encode(probe);
      return Optional.empty();
    } catch (EndpointCodec.ValueTooLargeException e) {
      return Optional.of("spec.metadata and spec.version make a registry value of up to " + e.size()
          + " bytes, more than the " + EndpointCodec.MAX_VALUE_BYTES + " allowed");
    }
  }

  /**
   * A length as the API server counts it for the CRD's {@code maxLength} and CEL's {@code size()}:
   * Unicode characters (code points), not Java's UTF-16 units, so that an emoji counts once.
   */
  static int characters(String text) {
    return text.codePointCount(0, text.length());
  }

  private static String abbreviate(String text) {
    return characters(text) <= 20 ? text : text.substring(0, text.offsetByCodePoints(0, 20)) + "...";
  }
}
