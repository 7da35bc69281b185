package dev.registrar.operator.reconciler;

import dev.registrar.client.ServiceNames;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.customresource.ServiceRegistrationSpec;
import dev.registrar.operator.model.LabelSelectors;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The operator's own check of a spec, for clusters whose CRD is older than the operator (or an
 * API server that did not validate): the first problem, naming the field and the rule.
 */
final class SpecValidation {

  private SpecValidation() {}

  static Optional<String> problem(ServiceRegistration registration) {
    ServiceRegistrationSpec spec = registration.getSpec();
    if (spec == null) {
      return Optional.of("spec is required");
    }
    String serviceName = registration.effectiveServiceName();
    if (!ServiceNames.isValid(serviceName)) {
      return Optional.of("spec.serviceName '" + serviceName + "' must be a DNS-1123 label: lowercase "
          + "letters, digits and '-', at most 63 characters"
          + (spec.getServiceName() == null ? " (it defaults to metadata.name)" : ""));
    }
    if (LabelSelectors.isEmpty(spec.getSelector())) {
      return Optional.of("spec.selector must not be empty: set matchLabels or matchExpressions");
    }
    if (spec.getPorts() == null || spec.getPorts().isEmpty()) {
      return Optional.of("spec.ports must list at least one port");
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
      if (port.getPort() != null && (port.getPort() < 1 || port.getPort() > 65535)) {
        return Optional.of(field + ".port " + port.getPort() + " is outside 1-65535");
      }
    }
    int ttl = spec.effectiveLeaseTTLSeconds();
    if (ttl < ServiceRegistrationSpec.MIN_LEASE_TTL_SECONDS || ttl > ServiceRegistrationSpec.MAX_LEASE_TTL_SECONDS) {
      return Optional.of("spec.leaseTTLSeconds " + ttl + " is outside "
          + ServiceRegistrationSpec.MIN_LEASE_TTL_SECONDS + "-" + ServiceRegistrationSpec.MAX_LEASE_TTL_SECONDS);
    }
    return Optional.empty();
  }
}
