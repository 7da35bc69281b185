package dev.registrar.sandbox;

import dev.registrar.operator.RegistrarOperator;
import dev.registrar.operator.config.ConfigLoader;
import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.etcd.EtcdClientFactory;
import dev.registrar.operator.model.NamePolicy;
import dev.registrar.testing.TempDirs;
import dev.registrar.testing.etcd.EtcdCluster;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything Registrar needs, on loopback: a real etcd (a child process with a temporary data
 * dir, unless one is given), the mock API server with kubectl discovery, the simulated kubelet,
 * and the operator itself. {@link #close()} stops all of it and removes every temporary file.
 */
final class Sandbox implements AutoCloseable {

  static final String CLUSTER_NAME = "sandbox";
  static final String NAMESPACE = "default";

  final Path workDir;
  final Path kubeconfig;
  final String etcdEndpoints;
  final MockKubernetesApi api;
  private final EtcdCluster etcd;
  private final Kubelet kubelet;
  private final RegistrarOperator operator;

  private Sandbox(Path workDir, Optional<String> externalEtcd, int httpPort, NamePolicy namePolicy) {
    this.workDir = workDir;
    List<AutoCloseable> started = new ArrayList<>();
    try {
      this.etcd = externalEtcd.isPresent() ? null : EtcdCluster.singleMember().start();
      if (etcd != null) {
        started.add(etcd);
      }
      this.etcdEndpoints = etcd != null ? etcd.endpointList() : externalEtcd.orElseThrow();
      this.api = MockKubernetesApi.startForKubectl();
      started.add(api);
      this.kubeconfig = api.writeKubeconfig(workDir.resolve("kubeconfig"), NAMESPACE);
      // Every cluster has it, and the name policy namespace-annotation reads it. (kubectl
      // create sends protobuf, which the mock server cannot read.)
      api.client().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .create();
      this.kubelet = new Kubelet(api.client());
      kubelet.start();
      started.add(kubelet);
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

  /** Starts everything; {@code externalEtcd} empty starts a real etcd child process. */
  static Sandbox start(Path workDir, Optional<String> externalEtcd, int httpPort, NamePolicy namePolicy) {
    return new Sandbox(workDir, externalEtcd, httpPort, namePolicy);
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
    closeQuietly(kubelet);
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
