package dev.registrar.testing.etcd;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the real etcd server binary. A missing binary is a test failure, never a skip. */
public final class EtcdBinary {

  /** System property or environment variable that names the binary explicitly. */
  public static final String OVERRIDE_PROPERTY = "registrar.etcd.binary";

  public static final String OVERRIDE_ENV = "REGISTRAR_TEST_ETCD_BINARY";

  static final String INSTALL_HINT =
      "The etcd server binary was not found on PATH. Tests that touch etcd run a real one: "
          + "install it with 'apt-get update && apt-get install -y etcd-server etcd-client' "
          + "(or point -D" + OVERRIDE_PROPERTY + " / " + OVERRIDE_ENV + " at an etcd binary).";

  private EtcdBinary() {}

  /** The etcd binary to run; throws {@link IllegalStateException} saying how to install it. */
  public static Path locate() {
    return locate(System.getProperty(OVERRIDE_PROPERTY, System.getenv(OVERRIDE_ENV)), searchPath());
  }

  /** PATH, then the usual install folders. */
  static String searchPath() {
    return Optional.ofNullable(System.getenv("PATH")).orElse("") + File.pathSeparator
        + "/usr/bin" + File.pathSeparator + "/usr/local/bin";
  }

  /**
   * @param override an explicit binary, or null
   * @param searchPath directories to search, separated as PATH is
   */
  static Path locate(String override, String searchPath) {
    if (override != null && !override.isBlank()) {
      Path path = Path.of(override);
      if (!Files.isExecutable(path)) {
        throw new IllegalStateException("etcd binary " + path + " (from " + OVERRIDE_PROPERTY
            + " / " + OVERRIDE_ENV + ") is not an executable file");
      }
      return path;
    }
    return onPath("etcd", searchPath).orElseThrow(() -> new IllegalStateException(INSTALL_HINT));
  }

  /** The etcd binary, if one is installed (or named by the override). */
  public static Optional<Path> find() {
    try {
      return Optional.of(locate());
    } catch (IllegalStateException e) {
      return Optional.empty();
    }
  }

  static Optional<Path> onPath(String name, String searchPath) {
    for (String dir : searchPath.split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
