package dev.registrar.operator.reconciler;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.etcd.EtcdExtension;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mock API does not validate, like a cluster with an older CRD: the operator's own check must
 * answer every invalid spec with Ready=False/InvalidSpec, a Warning Event and no etcd write.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvalidSpecIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NS = "shop";
  static final Map<String, String> APP = Map.of("app", "orders");
  static final AtomicInteger NAMES = new AtomicInteger();

  MockKubernetesApi api;
  KubernetesClient client;
  RunningOperator operator;
  EtcdView etcd;
  long revision;

  @BeforeAll
  void start() {
    api = MockKubernetesApi.start();
    client = api.client();
    etcd = new EtcdView(ETCD.client());
    // A ready Pod that every registration here selects: a valid spec would write keys for it.
    client.resource(pod(NS, "orders-1", "10.3.0.1", APP, true)).create();
    operator = RunningOperator.start(api, ETCD.endpointList());
    revision = etcd.revision();
  }

  @AfterAll
  void stop() {
    operator.close();
    api.close();
  }

  static Arguments invalid(String description, String message, Consumer<ServiceRegistration> change) {
    return Arguments.of(description, message, change);
  }

  static Stream<Arguments> invalidSpecs() {
    Map<String, String> manyEntries = new LinkedHashMap<>();
    IntStream.range(0, 33).forEach(i -> manyEntries.put("k" + i, "v"));
    Map<String, String> bigValues = new LinkedHashMap<>();
    IntStream.range(0, 32).forEach(i -> bigValues.put("key-" + i, "v".repeat(256)));
    List<PortSpec> seventeen = new ArrayList<>();
    IntStream.range(0, 17).forEach(i -> seventeen.add(PortSpec.number("p" + i, 1000 + i)));
    return Stream.of(
        invalid("serviceName with a slash", "spec.serviceName 'a/b' must be a DNS-1123 label",
            r -> r.getSpec().setServiceName("a/b")),
        invalid("serviceName ..", "spec.serviceName '..' must be a DNS-1123 label",
            r -> r.getSpec().setServiceName("..")),
        invalid("serviceName in uppercase", "spec.serviceName 'Orders' must be a DNS-1123 label",
            r -> r.getSpec().setServiceName("Orders")),
        invalid("serviceName of 64 characters", "spec.serviceName '" + "a".repeat(64) + "' must be a DNS-1123 label",
            r -> r.getSpec().setServiceName("a".repeat(64))),
        invalid("empty selector", "spec.selector must not be empty",
            r -> r.getSpec().setSelector(new LabelSelectorBuilder().build())),
        invalid("selector operator", "spec.selector.matchExpressions[0].operator 'Near' must be In, NotIn, Exists or DoesNotExist",
            r -> r.getSpec().setSelector(new LabelSelectorBuilder().withMatchExpressions(
                new LabelSelectorRequirementBuilder().withKey("app").withOperator("Near").build()).build())),
        invalid("port 0", "spec.ports[0].port 0 is outside 1-65535",
            r -> r.getSpec().setPorts(List.of(PortSpec.number("http", 0)))),
        invalid("port 70000", "spec.ports[0].port 70000 is outside 1-65535",
            r -> r.getSpec().setPorts(List.of(PortSpec.number("http", 70000)))),
        invalid("both port and containerPort", "spec.ports[0]: exactly one of port or containerPort must be set",
            r -> r.getSpec().setPorts(List.of(new PortSpec("http", 80, "http")))),
        invalid("neither port nor containerPort", "spec.ports[0]: exactly one of port or containerPort must be set",
            r -> r.getSpec().setPorts(List.of(new PortSpec("http", null, null)))),
        invalid("duplicate port names", "spec.ports[1].name 'http' is used by another port",
            r -> r.getSpec().setPorts(List.of(PortSpec.number("http", 80), PortSpec.number("http", 81)))),
        invalid("17 ports", "spec.ports has 17 entries, more than the 16 allowed",
            r -> r.getSpec().setPorts(seventeen)),
        invalid("33 metadata entries", "spec.metadata has 33 entries, more than the 32 allowed",
            r -> r.getSpec().setMetadata(manyEntries)),
        invalid("metadata key of 64 characters", "spec.metadata key '" + "k".repeat(20) + "...' must be 1 to 63 characters",
            r -> r.getSpec().setMetadata(Map.of("k".repeat(64), "v"))),
        invalid("metadata value of 257 characters", "spec.metadata['team'] is 257 characters, more than 256",
            r -> r.getSpec().setMetadata(Map.of("team", "v".repeat(257)))),
        invalid("leaseTTLSeconds 5", "spec.leaseTTLSeconds 5 is outside 15-3600",
            r -> r.getSpec().setLeaseTTLSeconds(5)),
        invalid("leaseTTLSeconds 3601", "spec.leaseTTLSeconds 3601 is outside 15-3600",
            r -> r.getSpec().setLeaseTTLSeconds(3601)),
        invalid("a value over 8 KiB", "spec.metadata and spec.version make a registry value of up to",
            r -> r.getSpec().setMetadata(bigValues)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void isRefusedWithAConditionAWarningAndNoEtcdWrite(String description, String message,
      Consumer<ServiceRegistration> change) {
    String name = "invalid-" + NAMES.incrementAndGet();
    ServiceRegistration registration = registration(NS, name, "orders-" + name, APP, PortSpec.number("http", 80));
    change.accept(registration);
    client.resource(registration).create();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      ServiceRegistration current = client.resources(ServiceRegistration.class).inNamespace(NS).withName(name).get();
      assertThat(current.getStatus()).isNotNull();
      assertThat(current.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready"))
          .singleElement().satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("InvalidSpec");
            assertThat(c.getMessage()).startsWith(message);
          });
      assertThat(client.v1().events().inNamespace(NS).list().getItems())
          .filteredOn(e -> e.getInvolvedObject().getName().equals(name))
          .singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("InvalidSpec");
            assertThat(e.getMessage()).startsWith(message);
          });
    });
    assertThat(etcd.revision()).as("etcd writes").isEqualTo(revision);
  }
}
