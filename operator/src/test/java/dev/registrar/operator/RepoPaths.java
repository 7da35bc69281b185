package dev.registrar.operator;

import dev.registrar.testing.RepositoryRoot;
import java.nio.file.Path;

/** Where the module and the repository are, whatever folder the test runner starts in. */
public final class RepoPaths {

  private RepoPaths() {}

  /** The repository root: the nearest folder upwards that holds mvnw. */
  public static Path repositoryRoot() {
    return RepositoryRoot.find();
  }

  /** The operator module's folder. */
  public static Path moduleDir() {
    return repositoryRoot().resolve("operator");
  }
}
