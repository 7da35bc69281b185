package dev.registrar.sandbox;

import dev.registrar.operator.RegistrarOperator;
import dev.registrar.operator.config.ConfigLoader;
import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.etcd.EtcdClientFactory;
import dev.registrar.operator.model.NamePolicy;
import dev.registrar.testing.TempDirs;
import dev.registrar.testing.etcd.EtcdCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything Registrar needs, on loopback: a real etcd (a child process with a temporary data
 * dir, unless one is given), a Kubernetes API ({@link SandboxCluster}: the real control plane
 * without kubelets, or the mock server) with the simulated kubelet, and the operator itself. {@link #close()} stops all of it and removes every temporary file.
 */
final class Sandbox implements AutoCloseable {

  static final String CLUSTER_NAME = "sandbox";
  static final String NAMESPACE = "default";

  final Path workDir;
  final Path kubeconfig;
  final String etcdEndpoints;
  final SandboxCluster api;
  private final EtcdCluster etcd;
  private final RegistrarOperator operator;

  private Sandbox(Path workDir, Optional<String> externalEtcd, int httpPort, NamePolicy namePolicy, boolean real) {
    this.workDir = workDir;
    List<AutoCloseable> started = new ArrayList<>();
    try {
      this.etcd = externalEtcd.isPresent() ? null : EtcdCluster.singleMember().start();
      if (etcd != null) {
        started.add(etcd);
      }
      this.etcdEndpoints = etcd != null ? etcd.endpointList() : externalEtcd.orElseThrow();
      this.api = real ? SandboxCluster.real(workDir) : SandboxCluster.mock(workDir, NAMESPACE);
      started.add(api);
      this.kubeconfig = api.kubeconfig();
      RegistrarConfig config = ConfigLoader.load(List.of(
          "--etcd-endpoints", etcdEndpoints,
          "--cluster-name", CLUSTER_NAME,
          "--http-port", Integer.toString(httpPort),
          "--name-policy", namePolicy.text()), Map.of());
      this.operator = new RegistrarOperator(config, api.client(), EtcdClientFactory.create(config));
      operator.start();
    } catch (RuntimeException e) {
      for (int i = started.size() - 1; i >= 0; i--) {
        closeQuietly(started.get(i));
      }
      TempDirs.deleteRecursively(workDir);
      throw e;
    }
  }

  /**
   * Starts everything; {@code externalEtcd} empty starts a real etcd child process, {@code real}
   * the real control plane instead of the mock server.
   */
  static Sandbox start(Path workDir, Optional<String> externalEtcd, int httpPort, NamePolicy namePolicy, boolean real) {
    return new Sandbox(workDir, externalEtcd, httpPort, namePolicy, real);
  }

  /** The etcd data folder when the sandbox started etcd itself. */
  Optional<Path> etcdDataDir() {
    return Optional.ofNullable(etcd).map(EtcdCluster::workDir);
  }

  int httpPort() {
    return operator.httpPort();
  }

  Path log() {
    return workDir.resolve("registrar.log");
  }

  /** Stops the operator first (it keeps its leases, as in production), then the rest. */
  @Override
  public void close() {
    closeQuietly(operator);
    closeQuietly(api);
    if (etcd != null) {
      closeQuietly(etcd);
    }
    TempDirs.deleteRecursively(workDir);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // Shutting down: the next piece must still be stopped.
    }
  }
}
