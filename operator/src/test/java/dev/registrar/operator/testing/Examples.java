package dev.registrar.operator.testing;

import dev.registrar.operator.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The YAML files under examples/, which users apply as they are. */
public final class Examples {

  private Examples() {}

  /** Every .yaml/.yml file under examples/, sandbox/ included, in a stable order. */
  public static List<Path> yamlFiles() {
    try (Stream<Path> files = Files.walk(RepoPaths.repositoryRoot().resolve("examples"))) {
      List<Path> yaml = files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .filter(f -> !f.toString().contains("/target/"))
          .sorted().toList();
      if (yaml.isEmpty()) {
        throw new IllegalStateException("no YAML files under examples/");
      }
      return yaml;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The examples a user applies to a real cluster: a Deployment and a ServiceRegistration each. */
  public static List<Path> clusterExamples() {
    Path root = RepoPaths.repositoryRoot().resolve("examples");
    return List.of(root.resolve("basic.yaml"), root.resolve("multi-port.yaml"), root.resolve("metadata.yaml"),
        root.resolve("canary.yaml"));
  }
}
