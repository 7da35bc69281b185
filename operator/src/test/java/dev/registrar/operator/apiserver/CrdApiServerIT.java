package dev.registrar.operator.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registrar.operator.RepoPaths;
import dev.registrar.operator.customresource.SampleRegistrations;
import dev.registrar.operator.testing.Examples;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD in crds/, applied as it is to a real kube-apiserver: every schema bound and CEL rule is
 * enforced by the API server itself (its own message asserted, 27 cases), and every example a user applies
 * is accepted without {@code --validate=false}.
 */
class CrdApiServerIT {

  static final String NAMESPACE = "crd-validation";
  private static final ResourceDefinitionContext REGISTRATIONS = new ResourceDefinitionContext.Builder()
      .withGroup("registrar.dev").withVersion("v1alpha1").withPlural("serviceregistrations").withNamespaced(true).build();

  private static RealKubeApiServer api;

  @BeforeAll
  static void installCrd() {
    api = RealKubeApiServer.shared();
    RealCluster.installCrd(api);
    api.namespace(NAMESPACE);
  }

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        bad("serviceName not a DNS label", s -> s.put("serviceName", "Orders.v1"),
            "spec.serviceName: Invalid value: \"Orders.v1\": spec.serviceName in body should match"),
        bad("serviceName over 63 characters", s -> s.put("serviceName", "a".repeat(64)),
            "spec.serviceName: Too long: may not be more than 63 bytes"),
        bad("version over 64 characters", s -> s.put("version", "v".repeat(65)),
            "spec.version: Too long: may not be more than 64 bytes"),
        bad("a port name not a DNS label", s -> port(s).put("name", "HTTP"),
            "spec.ports[0].name: Invalid value: \"HTTP\": spec.ports[0].name in body should match"),
        bad("a port name over 63 characters", s -> port(s).put("name", "p".repeat(64)),
            "spec.ports[0].name: Too long: may not be more than 63 bytes"),
        bad("an empty port name", s -> port(s).put("name", ""),
            "spec.ports[0].name: Invalid value: \"\": spec.ports[0].name in body should be at least 1 chars long"),
        bad("a port without a name", s -> port(s).remove("name"), "spec.ports[0].name: Required value"),
        bad("a containerPort over 15 characters", s -> containerPort(s).put("containerPort", "g".repeat(16)),
            "spec.ports[1].containerPort: Too long: may not be more than 15 bytes"),
        bad("a containerPort not a DNS label", s -> containerPort(s).put("containerPort", "Grpc"),
            "spec.ports[1].containerPort: Invalid value: \"Grpc\": spec.ports[1].containerPort in body should match"),
        bad("port 0", s -> port(s).put("port", 0),
            "spec.ports[0].port: Invalid value: 0: spec.ports[0].port in body should be greater than or equal to 1"),
        bad("port 65536", s -> port(s).put("port", 65536),
            "spec.ports[0].port: Invalid value: 65536: spec.ports[0].port in body should be less than or equal to 65535"),
        bad("leaseTTLSeconds 14", s -> s.put("leaseTTLSeconds", 14),
            "spec.leaseTTLSeconds: Invalid value: 14: spec.leaseTTLSeconds in body should be greater than or equal to 15"),
        bad("leaseTTLSeconds 3601", s -> s.put("leaseTTLSeconds", 3601),
            "spec.leaseTTLSeconds: Invalid value: 3601: spec.leaseTTLSeconds in body should be less than or equal to 3600"),
        bad("weight -1", s -> s.put("weight", -1),
            "spec.weight: Invalid value: -1: spec.weight in body should be greater than or equal to 0"),
        bad("weight 10001", s -> s.put("weight", 10001),
            "spec.weight: Invalid value: 10001: spec.weight in body should be less than or equal to 10000"),
        bad("33 metadata entries", s -> s.put("metadata", entries(33)),
            "spec.metadata: Too many: 33: must have at most 32 items"),
        bad("a metadata key of 64 characters", s -> s.put("metadata", Map.of("k".repeat(64), "v")),
            "metadata keys must be 1 to 63 characters and values at most 256 characters"),
        bad("a metadata value of 257 characters", s -> s.put("metadata", Map.of("k", "v".repeat(257))),
            "metadata keys must be 1 to 63 characters and values at most 256 characters"),
        bad("17 ports", s -> s.put("ports", ports(17)), "spec.ports: Too many: 17: must have at most 16 items"),
        bad("no ports", s -> s.put("ports", List.of()),
            "spec.ports: Invalid value: 0: spec.ports in body should have at least 1 items"),
        bad("ports left out", s -> s.remove("ports"), "spec.ports: Required value"),
        bad("selector left out", s -> s.remove("selector"), "spec.selector: Required value"),
        bad("an empty selector", s -> s.put("selector", Map.of()),
            "selector must not be empty: set matchLabels or matchExpressions"),
        bad("empty matchLabels", s -> s.put("selector", Map.of("matchLabels", Map.of())),
            "selector must not be empty: set matchLabels or matchExpressions"),
        bad("port and containerPort both", s -> port(s).put("containerPort", "http"),
            "spec.ports[0]: Invalid value: exactly one of port or containerPort must be set"),
        bad("neither port nor containerPort", s -> port(s).remove("port"),
            "spec.ports[0]: Invalid value: exactly one of port or containerPort must be set"),
        bad("duplicate port names", s -> ((Map<String, Object>) ports(s).get(1)).put("name", "http"),
            "spec.ports: Invalid value: port names must be unique"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSpecs")
  void theApiServerRejectsABadSpecWithItsOwnMessage(String what, Consumer<Map<String, Object>> change, String message) {
    GenericKubernetesResource object = registration("bad", change);
    assertThatThrownBy(() -> api.client().genericKubernetesResources(REGISTRATIONS).inNamespace(NAMESPACE)
        .resource(object).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining(message);
    assertThat(api.client().genericKubernetesResources(REGISTRATIONS).inNamespace(NAMESPACE).withName("bad").get()).isNull();
  }

  @Test
  void aSpecAtEveryBoundIsAccepted() {
    GenericKubernetesResource object = registration("at-bounds", s -> {
      s.put("serviceName", "a".repeat(63));
      s.put("leaseTTLSeconds", 3600);
      s.put("weight", 10000);
      s.put("metadata", entries(32));
      s.put("ports", ports(16));
    });
    api.client().genericKubernetesResources(REGISTRATIONS).inNamespace(NAMESPACE).resource(object).create();
    assertThat(api.client().genericKubernetesResources(REGISTRATIONS).inNamespace(NAMESPACE).withName("at-bounds").get())
        .isNotNull();
  }

  @Test
  void everyExampleIsAcceptedByKubectlApplyWithValidation() {
    for (Path example : Examples.yamlFiles()) {
      String namespace = "example-" + example.getFileName().toString().replaceAll("\\.ya?ml$", "");
      api.namespace(namespace);
      var applied = api.kubectl("apply", "-n", namespace, "-f", example.toString());
      assertThat(applied.exit()).as("%s", applied).isZero();
      assertThat(applied.err()).as("kubectl warned: %s", applied).doesNotContain("Warning");
    }
  }

  @Test
  void theCrdInHelmChartIsTheOneInCrds() {
    // Both copies are applied by users (kubectl apply -f crds/, helm install): the API server
    // stores the one it was given, so they must not differ.
    var fromCrds = api.kubectl("apply", "--dry-run=server", "-o", "yaml", "-f",
        RepoPaths.repositoryRoot().resolve("crds").toString()).ok();
    var fromChart = api.kubectl("apply", "--dry-run=server", "-o", "yaml", "-f",
        RepoPaths.repositoryRoot().resolve("helm/registrar/crds").toString()).ok();
    assertThat(fromChart.out()).isEqualTo(fromCrds.out());
  }

  private static Arguments bad(String what, Consumer<Map<String, Object>> change, String message) {
    return Arguments.of(what, change, message);
  }

  private static GenericKubernetesResource registration(String name, Consumer<Map<String, Object>> change) {
    return Serialization.unmarshal(Serialization.asJson(SampleRegistrations.registration(NAMESPACE, name, change)),
        GenericKubernetesResource.class);
  }

  private static List<Object> ports(Map<String, Object> spec) {
    return SampleRegistrations.ports(spec);
  }

  private static Map<String, Object> port(Map<String, Object> spec) {
    return SampleRegistrations.port(spec, 0);
  }

  private static Map<String, Object> containerPort(Map<String, Object> spec) {
    return SampleRegistrations.port(spec, 1);
  }

  private static List<Object> ports(int count) {
    return IntStream.range(0, count).<Object>mapToObj(i -> Map.of("name", "p" + i, "port", 1000 + i)).toList();
  }

  private static Map<String, Object> entries(int count) {
    Map<String, Object> entries = new LinkedHashMap<>();
    IntStream.range(0, count).forEach(i -> entries.put("k" + i, "v"));
    return entries;
  }
}
