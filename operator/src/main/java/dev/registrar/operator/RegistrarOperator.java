package dev.registrar.operator;

import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.http.HttpEndpoints;
import dev.registrar.operator.reconciler.ServiceRegistrationReconciler;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: wires the configuration, the two clients, JOSDK and the HTTP endpoints. */
public final class RegistrarOperator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RegistrarOperator.class);

  static final String LEADER_LEASE_NAME = "registrar-leader";

  private final RegistrarConfig config;
  private final Client etcd;
  private final Operator operator;
  private final HttpEndpoints http;

  /**
   * @param kubernetes not closed by this class: its creator owns it
   * @param etcd closed by this class
   */
  public RegistrarOperator(RegistrarConfig config, KubernetesClient kubernetes, Client etcd) {
    this.config = config;
    this.etcd = etcd;
    this.operator = new Operator(o -> {
      o.withKubernetesClient(kubernetes)
          .withCloseClientOnStop(false)
          // Status is written with a JSON merge patch only when it changed; server-side apply
          // would need field-manager bookkeeping for no gain here.
          .withUseSSAToPatchPrimaryResource(false);
      if (config.leaderElection()) {
        String namespace = config.leaderElectionNamespace()
            .orElseGet(() -> kubernetes.getConfiguration().getNamespace());
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEADER_LEASE_NAME, namespace));
      }
    });
    operator.register(new ServiceRegistrationReconciler(), c -> {
      if (!config.watchesAllNamespaces()) {
        c.settingNamespaces(config.watchNamespaces());
      }
    });
    this.http = new HttpEndpoints(config.httpPort());
  }

  public void start() {
    http.start();
    operator.start();
    LOG.info("Registrar started: etcd {}, prefix {}, cluster {}, namespaces {}, HTTP port {}",
        config.etcdEndpoints(), config.keyPrefix(), config.clusterName(),
        config.watchesAllNamespaces() ? "all" : config.watchNamespaces(), http.port());
  }

  public int httpPort() {
    return http.port();
  }

  /** Stops reconciling. Leases are not revoked: their keys stay until another replica takes over or the TTL ends. */
  @Override
  public void close() {
    try {
      operator.stop();
    } finally {
      http.close();
      etcd.close();
    }
  }
}
