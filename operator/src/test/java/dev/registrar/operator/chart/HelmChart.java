package dev.registrar.operator.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.registrar.operator.RepoPaths;
import dev.registrar.operator.testing.Manifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The chart in helm/registrar, linted and rendered by the real Helm library (helm-java). */
final class HelmChart {

  static final Path CHART = RepoPaths.repositoryRoot().resolve("helm/registrar");
  static final String RELEASE = "registrar";
  static final String NAMESPACE = "registrar-system";
  /** helm-java renders for Kubernetes 1.20 unless told; the chart needs 1.25 or newer. */
  static final String KUBE_VERSION = "1.32.0";

  private HelmChart() {}

  /** {@code helm template registrar helm/registrar -n registrar-system -f <values>}. */
  static Rendered template(Map<String, Object> values) {
    String yaml = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION)
        .withValuesFile(valuesFile(values)).call();
    return new Rendered(Manifests.parse(yaml));
  }

  /** {@code helm lint --strict} of a copy of the chart whose values.yaml has {@code overrides} merged in. */
  static LintResult lintStrict(Map<String, Object> overrides) {
    try {
      Path copy = Files.createTempDirectory("registrar-chart").resolve("registrar");
      try (Stream<Path> files = Files.walk(CHART)) {
        for (Path file : files.toList()) {
          Path target = copy.resolve(CHART.relativize(file).toString());
          if (Files.isDirectory(file)) {
            Files.createDirectories(target);
          } else {
            Files.copy(file, target);
          }
        }
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> defaults = Serialization.unmarshal(Files.readString(CHART.resolve("values.yaml")), Map.class);
      Files.writeString(copy.resolve("values.yaml"), Serialization.asYaml(merge(defaults, overrides)));
      return new Helm(copy).lint().strict().call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overrides) {
    Map<String, Object> merged = new LinkedHashMap<>(base);
    overrides.forEach((key, value) -> merged.merge(key, value, (old, replacement) ->
        old instanceof Map<?, ?> oldMap && replacement instanceof Map<?, ?> newMap
            ? merge((Map<String, Object>) oldMap, (Map<String, Object>) newMap)
            : replacement));
    return merged;
  }

  private static Path valuesFile(Map<String, Object> values) {
    try {
      Path file = Files.createTempFile("registrar-values", ".yaml");
      file.toFile().deleteOnExit();
      return Files.writeString(file, Serialization.asYaml(values));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code helm template} printed, as fabric8 objects. */
  record Rendered(List<HasMetadata> objects) {

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return Manifests.ofType(objects, type);
    }

    <T extends HasMetadata> Optional<T> one(Class<T> type) {
      List<T> found = all(type);
      if (found.size() > 1) {
        throw new AssertionError("expected at most one " + type.getSimpleName() + ", got " + found.size());
      }
      return found.stream().findFirst();
    }

    Deployment deployment() {
      return one(Deployment.class).orElseThrow(() -> new AssertionError("no Deployment rendered"));
    }

    Container operatorContainer() {
      return deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** The operator container's environment; every entry has a plain value (none from Secrets). */
    Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      for (EnvVar var : operatorContainer().getEnv()) {
        if (env.put(var.getName(), var.getValue()) != null) {
          throw new AssertionError("env " + var.getName() + " is set twice");
        }
      }
      return env;
    }

    /** Every rule of every Role and ClusterRole, with where it came from. */
    List<Rule> rules() {
      Stream<Rule> fromRoles = all(Role.class).stream().flatMap(role -> role.getRules().stream()
          .map(rule -> new Rule("Role " + role.getMetadata().getNamespace() + "/" + role.getMetadata().getName(), rule)));
      Stream<Rule> fromClusterRoles = all(ClusterRole.class).stream().flatMap(role -> role.getRules().stream()
          .map(rule -> new Rule("ClusterRole " + role.getMetadata().getName(), rule)));
      return Stream.concat(fromRoles, fromClusterRoles).toList();
    }
  }

  record Rule(String source, PolicyRule rule) {}
}
