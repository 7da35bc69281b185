package dev.registrar.operator;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the module and the repository are, whatever folder the test runner starts in. */
public final class RepoPaths {

  private RepoPaths() {}

  /** The repository root: the nearest folder upwards that holds mvnw. */
  public static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("repository root (with mvnw) not found above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  /** The operator module's folder. */
  public static Path moduleDir() {
    return repositoryRoot().resolve("operator");
  }
}
