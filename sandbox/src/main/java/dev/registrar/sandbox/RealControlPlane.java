package dev.registrar.sandbox;

import dev.registrar.testing.kubernetes.ControlPlane;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which Kubernetes API the sandbox runs, said in one line: the real control plane when
 * scripts/control-plane.sh has built it (or builds it now for {@code --api real}, its progress
 * shown), else the mock server, with what it would take to get the real one.
 */
final class RealControlPlane {

  private RealControlPlane() {}

  /** True for the real control plane, false for the mock; empty when a requested build failed. */
  static Optional<Boolean> choose(SandboxMain.Api api, PrintStream out, PrintStream err) {
    if (api == SandboxMain.Api.MOCK) {
      out.println("Kubernetes API: fabric8's mock server (--api mock)");
      return Optional.of(false);
    }
    Optional<ControlPlane> built = builtPlane();
    if (built.isPresent()) {
      out.println("Kubernetes API: the real control plane, Kubernetes v" + built.get().kubernetesVersion()
          + " (kube-apiserver, kube-controller-manager; --api mock for the mock server)");
      return Optional.of(true);
    }
    if (api == SandboxMain.Api.AUTO) {
      out.println("Kubernetes API: fabric8's mock server, because the real control plane is not built "
          + "(bash scripts/control-plane.sh builds it once, about 8 minutes, or run with --api real)");
      return Optional.of(false);
    }
    out.println("Kubernetes API: building the real control plane first (once; about 8 minutes cold, progress below)");
    if (!build(out, err)) {
      return Optional.empty();
    }
    return Optional.of(true);
  }

  /** The control plane's own kubectl, when it is built. */
  static Optional<Path> kubectl() {
    return builtPlane().map(ControlPlane::kubectl);
  }

  private static Optional<ControlPlane> builtPlane() {
    try {
      return ControlPlane.ifBuilt();
    } catch (RuntimeException | AssertionError e) {
      // Not run from the repository (no scripts/control-plane.sh): only the mock is possible.
      return Optional.empty();
    }
  }

  private static boolean build(PrintStream out, PrintStream err) {
    Path script;
    try {
      script = ControlPlane.buildScript();
    } catch (RuntimeException e) {
      err.println("registrar sandbox: --api real needs the repository's scripts/control-plane.sh: " + e.getMessage());
      return false;
    }
    try {
      Process process = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        lines.lines().forEach(line -> out.println("  " + line));
      }
      if (process.waitFor() != 0 || builtPlane().isEmpty()) {
        err.println("registrar sandbox: building the real control plane failed (exit " + process.exitValue()
            + "); --api mock runs the sandbox on the mock server");
        return false;
      }
      return true;
    } catch (IOException e) {
      err.println("registrar sandbox: cannot run " + script + ": " + e.getMessage());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
