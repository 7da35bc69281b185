package dev.registrar.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository is, whatever folder the test runner starts in. */
public final class RepositoryRoot {

  private RepositoryRoot() {}

  /** The nearest folder upwards that holds mvnw. */
  public static Path find() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("repository root (with mvnw) not found above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
