package dev.registrar.testing.kubernetes;

import dev.registrar.testing.RepositoryRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where the real control plane's binaries are: the folder {@code scripts/control-plane.sh} fills,
 * laid out as fabric8's kube-api-test expects ({@code <root>/k8s/<version>-linux-amd64/}). The
 * script is the one source of the folder and the versions; a missing binary is a test failure
 * that names the command to build it, never a skip and never a download.
 */
public record ControlPlane(Path root, String kubernetesVersion, Path binaries) {

  static final String SCRIPT = "scripts/control-plane.sh";
  private static final String PLATFORM = "-linux-amd64";

  private static ControlPlane located;

  /** The built control plane; fails with the build command when a binary is missing. */
  public static synchronized ControlPlane locate() {
    if (located == null) {
      ControlPlane plane = where();
      plane.missing().ifPresent(program -> {
        throw new AssertionError("the real control plane is not built: " + program + " is missing. "
            + "Run 'bash " + SCRIPT + "' once (a cold build takes about 8 minutes; 'bash .ci/run' does it)");
      });
      located = plane;
    }
    return located;
  }

  /** The control plane if it is built, without failing: the sandbox picks the mock otherwise. */
  public static Optional<ControlPlane> ifBuilt() {
    ControlPlane plane = where();
    return plane.missing().isEmpty() ? Optional.of(plane) : Optional.empty();
  }

  /** The build script, which builds what is missing and prints its progress. */
  public static Path buildScript() {
    return RepositoryRoot.find().resolve(SCRIPT);
  }

  private static ControlPlane where() {
    Path dir = Path.of(run(buildScript().toString(), "--dir").strip());
    String name = dir.getFileName().toString();
    if (!name.endsWith(PLATFORM)) {
      throw new AssertionError(SCRIPT + " --dir printed " + dir + ", not a <version>" + PLATFORM + " folder");
    }
    return new ControlPlane(dir.getParent().getParent(), name.substring(0, name.length() - PLATFORM.length()), dir);
  }

  /** The first program that is not built yet, if any. */
  private Optional<Path> missing() {
    return Stream.of("kube-apiserver", "etcd", "kubectl", "helm", "kube-controller-manager")
        .map(binaries::resolve).filter(path -> !Files.isExecutable(path)).findFirst();
  }

  public Path kubectl() {
    return binaries.resolve("kubectl");
  }

  public Path helm() {
    return binaries.resolve("helm");
  }

  private static String run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
