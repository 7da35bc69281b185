package dev.registrar.testing.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * kube-controller-manager of the same build as the API server, as a child process: the
 * controllers that turn a Deployment into ReplicaSets and Pods, roll it, scale it and clean up
 * after it (deployment, replicaset, garbage collector, namespace, serviceaccount). No leader
 * election and no serving port: one per API server, owned by the test or the sandbox.
 */
public final class ControllerManager implements AutoCloseable {

  /** The controllers a Deployment's life needs; kubelet's and the cloud's are not run. */
  public static final List<String> CONTROLLERS = List.of("deployment-controller", "replicaset-controller",
      "garbage-collector-controller", "namespace-controller", "serviceaccount-controller");

  private final Process process;

  private ControllerManager(Process process) {
    this.process = process;
  }

  /** Starts it against the API server of {@code kubeconfig}; its output goes to {@code log}. */
  public static ControllerManager start(ControlPlane plane, Path kubeconfig, Path log) {
    List<String> command = new ArrayList<>(List.of(plane.binaries().resolve("kube-controller-manager").toString(),
        "--kubeconfig=" + kubeconfig,
        "--controllers=" + String.join(",", CONTROLLERS),
        "--leader-elect=false",
        "--secure-port=0",
        // The API server's default client rate (20/s) would pace a rollout of many Pods; a real
        // cluster's controller-manager is tuned the same way.
        "--kube-api-qps=200",
        "--kube-api-burst=400",
        "--concurrent-deployment-syncs=10",
        "--concurrent-replicaset-syncs=10",
        "--v=1"));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new ControllerManager(process);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + command.get(0), e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
