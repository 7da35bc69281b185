package dev.registrar.testing.kubernetes;

import dev.registrar.testing.RepositoryRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
      Path dir = Path.of(run(RepositoryRoot.find().resolve(SCRIPT).toString(), "--dir").strip());
      String name = dir.getFileName().toString();
      if (!name.endsWith(PLATFORM)) {
        throw new AssertionError(SCRIPT + " --dir printed " + dir + ", not a <version>" + PLATFORM + " folder");
      }
      ControlPlane plane = new ControlPlane(dir.getParent().getParent(), name.substring(0, name.length() - PLATFORM.length()), dir);
      for (String program : new String[] {"kube-apiserver", "etcd", "kubectl", "helm", "kube-controller-manager"}) {
        if (!Files.isExecutable(dir.resolve(program))) {
          throw new AssertionError("the real control plane is not built: " + dir.resolve(program) + " is missing. "
              + "Run 'bash " + SCRIPT + "' once (a cold build takes about 8 minutes; 'bash .ci/run' does it)");
        }
      }
      located = plane;
    }
    return located;
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
