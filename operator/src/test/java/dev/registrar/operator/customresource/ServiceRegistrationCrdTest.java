package dev.registrar.operator.customresource;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated CRD accepts what DESIGN.md allows and rejects the rest, at admission. */
class ServiceRegistrationCrdTest {

  private static final GeneratedCrd CRD = GeneratedCrd.load();

  /** A valid ServiceRegistration, as a plain object, for one field to be broken. */
  private static Map<String, Object> registration(Consumer<Map<String, Object>> change) {
    return SampleRegistrations.registration("shop", "orders", change);
  }

  private static Map<String, Object> port(Map<String, Object> spec, int index) {
    return SampleRegistrations.port(spec, index);
  }

  @Test
  void theDesignDocumentsExampleIsAccepted() {
    assertThat(CRD.violations(registration(spec -> {}))).isEmpty();
  }

  @Test
  void optionalFieldsMayBeLeftOut() {
    assertThat(CRD.violations(registration(spec -> {
      spec.remove("serviceName");
      spec.remove("version");
      spec.remove("weight");
      spec.remove("metadata");
      spec.remove("leaseTTLSeconds");
      spec.remove("publishNotReadyAddresses");
    }))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/b", "Orders", "orders.v1", "-orders", "orders-", "..", "a_b"})
  void serviceNamesThatAreNotDnsLabelsAreRejected(String name) {
    assertThat(CRD.violations(registration(spec -> spec.put("serviceName", name))))
        .anyMatch(v -> v.startsWith("schema .spec.serviceName: does not match the regex pattern"));
  }

  @Test
  void serviceNameLongerThan63IsRejected() {
    assertThat(CRD.violations(registration(spec -> spec.put("serviceName", "a".repeat(64)))))
        .anyMatch(v -> v.startsWith("schema .spec.serviceName: must be at most 63 characters"));
    assertThat(CRD.violations(registration(spec -> spec.put("serviceName", "a".repeat(63)))))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 65536, 70000})
  void portsOutside1To65535AreRejected(int number) {
    assertThat(CRD.violations(registration(spec -> port(spec, 0).put("port", number))))
        .anyMatch(v -> v.startsWith("schema .spec.ports[0].port: must have a m"));
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 14, 3601})
  void leaseTtlOutside15To3600IsRejected(int ttl) {
    assertThat(CRD.violations(registration(spec -> spec.put("leaseTTLSeconds", ttl))))
        .anyMatch(v -> v.startsWith("schema .spec.leaseTTLSeconds: must have a m"));
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 10001})
  void weightOutside0To10000IsRejected(int weight) {
    assertThat(CRD.violations(registration(spec -> spec.put("weight", weight))))
        .anyMatch(v -> v.startsWith("schema .spec.weight: must have a m"));
  }

  @Test
  void moreThan32MetadataEntriesAreRejected() {
    Map<String, Object> entries = new LinkedHashMap<>();
    IntStream.range(0, 33).forEach(i -> entries.put("k" + i, "v"));
    assertThat(CRD.violations(registration(spec -> spec.put("metadata", entries))))
        .contains("schema .spec.metadata: must have at most 32 properties");
    entries.remove("k0");
    assertThat(CRD.violations(registration(spec -> spec.put("metadata", entries)))).isEmpty();
  }

  @Test
  void oversizeMetadataKeysAndValuesAreRejectedByCel() {
    assertThat(CRD.violations(registration(spec -> spec.put("metadata", Map.of("k".repeat(64), "v")))))
        .contains("cel .spec.metadata: metadata keys must be 1 to 63 characters and values at most 256 characters");
    assertThat(CRD.violations(registration(spec -> spec.put("metadata", Map.of("k", "v".repeat(257))))))
        .anyMatch(v -> v.startsWith("cel .spec.metadata"));
  }

  @Test
  void moreThan16PortsAreRejected() {
    List<Object> ports = new ArrayList<>();
    IntStream.range(0, 17).forEach(i -> ports.add(Map.of("name", "p" + i, "port", 1000 + i)));
    assertThat(CRD.violations(registration(spec -> spec.put("ports", ports))))
        .anyMatch(v -> v.startsWith("schema .spec.ports"));
  }

  @Test
  void noPortsOrNoSelectorIsRejected() {
    assertThat(CRD.violations(registration(spec -> spec.put("ports", List.of()))))
        .anyMatch(v -> v.startsWith("schema .spec.ports"));
    assertThat(CRD.violations(registration(spec -> spec.remove("ports"))))
        .anyMatch(v -> v.startsWith("schema .spec.ports"));
    assertThat(CRD.violations(registration(spec -> spec.remove("selector"))))
        .anyMatch(v -> v.startsWith("schema .spec.selector"));
  }

  @Test
  void anEmptySelectorIsRejectedByCel() {
    String message = "cel .spec.selector: selector must not be empty: set matchLabels or matchExpressions";
    assertThat(CRD.violations(registration(spec -> spec.put("selector", Map.of())))).contains(message);
    assertThat(CRD.violations(registration(spec -> spec.put("selector", Map.of("matchLabels", Map.of())))))
        .contains(message);
    assertThat(CRD.violations(registration(spec -> spec.put("selector", Map.of("matchExpressions",
        List.of(Map.of("key", "app", "operator", "Exists"))))))).isEmpty();
  }

  @Test
  void aPortNeedsExactlyOneOfPortAndContainerPort() {
    String message = "cel .spec.ports[0]: exactly one of port or containerPort must be set";
    assertThat(CRD.violations(registration(spec -> port(spec, 0).put("containerPort", "http"))))
        .contains(message);
    assertThat(CRD.violations(registration(spec -> port(spec, 0).remove("port"))))
        .contains(message);
  }

  @Test
  void duplicatePortNamesAreRejectedByCel() {
    assertThat(CRD.violations(registration(spec -> port(spec, 1).put("name", "http"))))
        .contains("cel .spec.ports: port names must be unique");
  }

  @Test
  void celRulesArePresentInTheGeneratedYaml() {
    assertThat(CRD.celRules()).containsOnlyKeys(
        ".spec.selector", ".spec.ports", ".spec.ports[*]", ".spec.metadata");
  }

  @Test
  void namesScopeAndPrinterColumnsAreThoseOfTheDesign() {
    var names = CRD.crd.getSpec().getNames();
    assertThat(CRD.crd.getSpec().getGroup()).isEqualTo("registrar.dev");
    assertThat(CRD.crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(names.getPlural()).isEqualTo("serviceregistrations");
    assertThat(names.getShortNames()).containsExactly("svcreg", "sreg");

    CustomResourceDefinitionVersion version = CRD.crd.getSpec().getVersions().get(0);
    assertThat(version.getName()).isEqualTo("v1alpha1");
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertThat(version.getAdditionalPrinterColumns())
        .extracting(CustomResourceColumnDefinition::getName, CustomResourceColumnDefinition::getJsonPath,
            CustomResourceColumnDefinition::getPriority)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("Service", ".spec.serviceName", 0),
            org.assertj.core.groups.Tuple.tuple("Ready", ".status.conditions[?(@.type==\"Ready\")].status", 0),
            org.assertj.core.groups.Tuple.tuple("Endpoints", ".status.registeredEndpoints", 0),
            org.assertj.core.groups.Tuple.tuple("Lease", ".status.leaseId", 1),
            org.assertj.core.groups.Tuple.tuple("Age", ".metadata.creationTimestamp", 0));
  }
}
