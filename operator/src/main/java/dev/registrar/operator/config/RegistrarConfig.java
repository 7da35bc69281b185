package dev.registrar.operator.config;

import dev.registrar.client.RegistryPrefix;
import dev.registrar.operator.model.NamePolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The operator's whole configuration, built once at startup from flags and environment variables
 * ({@link ConfigLoader}) and then injected; nothing reads the environment after that.
 *
 * @param etcdEndpoints etcd client URLs
 * @param keyPrefix the registry prefix
 * @param clusterName written into every value's owner.cluster
 * @param watchNamespaces namespaces to watch; empty means all
 * @param namePolicy which service names a registration may publish from its namespace
 * @param etcdTls TLS to etcd, when configured
 * @param etcdAuth etcd authentication, when configured
 * @param podReadinessGate whether the readiness gate registrar.dev/registered is served
 * @param topology whether Nodes are watched for the values' zone
 * @param leaderElection whether only an elected leader reconciles
 * @param leaderElectionNamespace namespace of the leader-election Lease; empty means the pod's own
 * @param httpPort port of the HTTP endpoints; 0 picks a free one
 * @param resyncInterval the longest time between two reconciles of a registration
 * @param reconcileThreads how many registrations are reconciled at once
 * @param jsonLogs one JSON object per log line instead of text
 * @param logLevel the level of Registrar's own loggers
 */
public record RegistrarConfig(
    List<URI> etcdEndpoints,
    RegistryPrefix keyPrefix,
    String clusterName,
    Set<String> watchNamespaces,
    NamePolicy namePolicy,
    Optional<EtcdTls> etcdTls,
    Optional<EtcdAuth> etcdAuth,
    boolean podReadinessGate,
    boolean topology,
    boolean leaderElection,
    Optional<String> leaderElectionNamespace,
    int httpPort,
    Duration resyncInterval,
    int reconcileThreads,
    boolean jsonLogs,
    String logLevel) {

  public RegistrarConfig {
    etcdEndpoints = List.copyOf(etcdEndpoints);
    watchNamespaces = Set.copyOf(watchNamespaces);
  }

  public boolean watchesAllNamespaces() {
    return watchNamespaces.isEmpty();
  }

  /**
   * TLS to etcd: the CA that signed etcd's certificate, and optionally a client certificate and
   * key for mutual TLS.
   */
  public record EtcdTls(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {}

  /** etcd authentication; the password was read from its file at startup. */
  public record EtcdAuth(String username, Path passwordFile, String password) {
    @Override
    public String toString() {
      return "EtcdAuth[username=" + username + ", passwordFile=" + passwordFile + ", password=***]";
    }
  }
}
