package dev.registrar.sandbox;

import dev.registrar.operator.RegistrarOperator;
import dev.registrar.operator.config.ConfigLoader;
import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.etcd.EtcdClientFactory;
import dev.registrar.operator.model.NamePolicy;
import dev.registrar.testing.TempDirs;
import dev.registrar.testing.etcd.EtcdCluster;
import java.io.IOException;
import java.nio.file.Files;
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

  /** One cluster of the sandbox: its name in the registry, its Kubernetes API and its operator. */
  static final class Member {
    final String clusterName;
    final SandboxCluster api;
    final Path dir;
    private final RegistrarOperator operator;
    private boolean stopped;

    Member(String clusterName, SandboxCluster api, Path dir, RegistrarOperator operator) {
      this.clusterName = clusterName;
      this.api = api;
      this.dir = dir;
      this.operator = operator;
    }

    int httpPort() {
      return operator.httpPort();
    }

    /** Stops the operator as a crash would for etcd: its leases are not revoked, its keys live out their TTL. */
    synchronized void stopOperator() {
      if (!stopped) {
        stopped = true;
        closeQuietly(operator);
      }
    }
  }

  final Path workDir;
  final Path kubeconfig;
  final String etcdEndpoints;
  /** The first cluster's API. */
  final SandboxCluster api;
  /** Every cluster, the first one first: one, or several feeding the same etcd. */
  final List<Member> clusters;
  private final EtcdCluster etcd;

  private Sandbox(Path workDir, Optional<String> externalEtcd, int httpPort, NamePolicy namePolicy, boolean real,
      int clusterCount) {
    this.workDir = workDir;
    List<AutoCloseable> started = new ArrayList<>();
    List<Member> members = new ArrayList<>();
    try {
      this.etcd = externalEtcd.isPresent() ? null : EtcdCluster.singleMember().start();
      if (etcd != null) {
        started.add(etcd);
      }
      this.etcdEndpoints = etcd != null ? etcd.endpointList() : externalEtcd.orElseThrow();
      for (int number = 1; number <= clusterCount; number++) {
        // One cluster keeps the sandbox's own name and folder; several get one each.
        String name = clusterCount == 1 ? CLUSTER_NAME : CLUSTER_NAME + "-" + number;
        Path dir = clusterCount == 1 ? workDir : Files.createDirectories(workDir.resolve(name));
        SandboxCluster cluster = real ? SandboxCluster.real(dir, SandboxCluster.nodes(number))
            : SandboxCluster.mock(dir, NAMESPACE, SandboxCluster.nodes(number));
        started.add(cluster);
        RegistrarConfig config = ConfigLoader.load(List.of(
            "--etcd-endpoints", etcdEndpoints,
            "--cluster-name", name,
            "--http-port", Integer.toString(number == 1 ? httpPort : 0),
            "--name-policy", namePolicy.text()), Map.of());
        RegistrarOperator operator = new RegistrarOperator(config, cluster.client(), EtcdClientFactory.create(config));
        started.add(operator);
        operator.start();
        members.add(new Member(name, cluster, dir, operator));
      }
      this.clusters = List.copyOf(members);
      this.api = clusters.get(0).api;
      this.kubeconfig = api.kubeconfig();
    } catch (IOException e) {
      closeAll(started);
      TempDirs.deleteRecursively(workDir);
      throw new java.io.UncheckedIOException(e);
    } catch (RuntimeException e) {
      closeAll(started);
      TempDirs.deleteRecursively(workDir);
      throw e;
    }
  }

  private static void closeAll(List<AutoCloseable> started) {
    for (int i = started.size() - 1; i >= 0; i--) {
      closeQuietly(started.get(i));
    }
  }

  /**
   * Starts everything; {@code externalEtcd} empty starts a real etcd child process, {@code real}
   * the real control plane instead of the mock server.
   */
  static Sandbox start(Path workDir, Optional<String> externalEtcd, int httpPort, NamePolicy namePolicy, boolean real) {
    return start(workDir, externalEtcd, httpPort, namePolicy, real, 1);
  }

  /** The same with {@code clusters} clusters, each with its Kubernetes API and operator, on one etcd. */
  static Sandbox start(Path workDir, Optional<String> externalEtcd, int httpPort, NamePolicy namePolicy, boolean real,
      int clusters) {
    return new Sandbox(workDir, externalEtcd, httpPort, namePolicy, real, clusters);
  }

  /** The etcd data folder when the sandbox started etcd itself. */
  Optional<Path> etcdDataDir() {
    return Optional.ofNullable(etcd).map(EtcdCluster::workDir);
  }

  int httpPort() {
    return clusters.get(0).httpPort();
  }

  Path log() {
    return workDir.resolve("registrar.log");
  }

  /** Stops the operators first (they keep their leases, as in production), then the rest. */
  @Override
  public void close() {
    clusters.forEach(Member::stopOperator);
    clusters.forEach(member -> closeQuietly(member.api));
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
