package dev.registrar.operator.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every setting of the operator: a flag such as {@code --etcd-endpoints}, or the environment
 * variable {@code REGISTRAR_ETCD_ENDPOINTS}. The flag wins. {@code --help} is printed from here.
 */
public enum Setting {
  ETCD_ENDPOINTS(null, "comma-separated etcd client URLs, such as http://127.0.0.1:2379 (required)"),
  KEY_PREFIX("/services", "the registry prefix; keys are {prefix}/{serviceName}/{host}:{port}"),
  CLUSTER_NAME("default", "this cluster's name, written into every value's owner.cluster"),
  WATCH_NAMESPACES(null, "comma-separated namespaces to watch (default: all namespaces)"),
  ETCD_CA_FILE(null, "PEM file of the CA that signed etcd's server certificate (TLS to etcd)"),
  ETCD_CERT_FILE(null, "PEM client certificate for mutual TLS to etcd (with ETCD_KEY_FILE)"),
  ETCD_KEY_FILE(null, "PEM (PKCS#8) private key of the client certificate"),
  ETCD_USERNAME(null, "etcd user name for authentication (with ETCD_PASSWORD_FILE)"),
  ETCD_PASSWORD_FILE(null, "file holding the etcd user's password"),
  NAME_POLICY("any", "who may publish which service name: any; namespace-prefix (the name is the "
      + "namespace or starts with '<namespace>-'); or namespace-annotation (the Namespace's annotation "
      + "registrar.dev/allowed-service-names lists the names and 'prefix-*' globs it may use)"),
  POD_READINESS_GATE("true", "serve the Pod readiness gate registrar.dev/registered: a Pod that lists it "
      + "turns Ready only once etcd holds its keys (needs get on pods and patch on pods/status)"),
  TOPOLOGY("true", "watch Nodes (names and labels only) to publish each endpoint's zone from the "
      + "node label topology.kubernetes.io/zone (needs list and watch on nodes)"),
  LEADER_ELECTION("false", "true when several replicas run: only the leader reconciles"),
  LEADER_ELECTION_NAMESPACE(null, "namespace of the leader-election Lease (default: the pod's namespace)"),
  HTTP_PORT("8080", "port of the HTTP endpoints /healthz, /readyz and /metrics (0 picks a free port)"),
  RESYNC_INTERVAL("5m", "every registration is reconciled at least this often (e.g. 30s, 5m, 1h), "
      + "behind the etcd watch that repairs drift at once"),
  RECONCILE_THREADS("10", "how many registrations are reconciled at once, 1 to 200 (JOSDK's own default "
      + "is 50; a reconcile mostly waits for one etcd round trip, and more threads than etcd's commit "
      + "rate keeps busy only add memory: docs/operations.md, sizing)"),
  LOG_FORMAT("text", "text, or json (one JSON object per line, Elastic Common Schema)"),
  LOG_LEVEL("info", "error, warn, info, debug or trace, for Registrar's own loggers");

  private final String defaultValue;
  private final String description;

  Setting(String defaultValue, String description) {
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** {@code --etcd-endpoints}. */
  public String flag() {
    return "--" + name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** {@code REGISTRAR_ETCD_ENDPOINTS}. */
  public String env() {
    return "REGISTRAR_" + name();
  }

  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  public String description() {
    return description;
  }

  /** How an error names the setting: {@code --etcd-endpoints (REGISTRAR_ETCD_ENDPOINTS)}. */
  public String label() {
    return flag() + " (" + env() + ")";
  }

  static Optional<Setting> byFlag(String flag) {
    return Arrays.stream(values()).filter(s -> s.flag().equals(flag)).findFirst();
  }
}
