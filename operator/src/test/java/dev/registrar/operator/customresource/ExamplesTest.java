package dev.registrar.operator.customresource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.operator.RepoPaths;
import dev.registrar.operator.model.LabelSelectors;
import dev.registrar.operator.testing.Examples;
import dev.registrar.operator.testing.Manifests;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file in examples/ parses, and every ServiceRegistration in it passes the CRD's validation. */
class ExamplesTest {

  private static final GeneratedCrd CRD = GeneratedCrd.load();

  static List<Path> yamlFiles() {
    return Examples.yamlFiles();
  }

  @ParameterizedTest
  @MethodSource("yamlFiles")
  void everyDocumentParsesAndEveryRegistrationIsValid(Path file) throws Exception {
    String yaml = Files.readString(file);
    List<HasMetadata> objects = Manifests.parse(yaml);
    assertThat(objects).as(file + " holds no Kubernetes object").isNotEmpty();
    assertThat(objects).allSatisfy(o -> {
      assertThat(o.getApiVersion()).as(file + ": apiVersion").isNotBlank();
      assertThat(o.getMetadata().getName()).as(file + ": metadata.name").isNotBlank();
    });
    for (Map<String, Object> document : Manifests.documents(yaml)) {
      if ("ServiceRegistration".equals(document.get("kind"))) {
        assertThat(document.get("apiVersion")).isEqualTo("registrar.dev/v1alpha1");
        assertThat(CRD.violations(document)).as(file.toString()).isEmpty();
      }
    }
  }

  @Test
  void eachClusterExampleRegistersItsOwnDeploymentsPodsOnPortsThePodsHave() {
    for (Path file : Examples.clusterExamples()) {
      List<HasMetadata> objects = Manifests.parse(file);
      Deployment deployment = Manifests.ofType(objects, Deployment.class).stream().findFirst()
          .orElseThrow(() -> new AssertionError(file + " has no Deployment"));
      ServiceRegistration registration = Manifests.ofType(objects, ServiceRegistration.class).stream().findFirst()
          .orElseThrow(() -> new AssertionError(file + " has no ServiceRegistration"));
      var template = deployment.getSpec().getTemplate();
      assertThat(LabelSelectors.matches(registration.getSpec().getSelector(), template.getMetadata().getLabels()))
          .as(file + ": the registration selects the Deployment's Pods").isTrue();
      Set<String> namedPorts = template.getSpec().getContainers().stream()
          .flatMap(c -> c.getPorts().stream()).map(ContainerPort::getName).collect(Collectors.toSet());
      assertThat(registration.getSpec().getPorts()).allSatisfy(port -> {
        if (port.getContainerPort() != null) {
          assertThat(namedPorts).as(file + ": container port " + port.getContainerPort()).contains(port.getContainerPort());
        }
      });
    }
  }

  @Test
  void theExamplesReadmeNamesEveryExample() throws Exception {
    String readme = Files.readString(RepoPaths.repositoryRoot().resolve("examples/README.md"));
    for (Path file : Examples.clusterExamples()) {
      assertThat(readme).contains(file.getFileName().toString());
    }
  }
}
