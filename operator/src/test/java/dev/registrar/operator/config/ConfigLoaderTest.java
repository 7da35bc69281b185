package dev.registrar.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registrar.operator.model.NamePolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

  private static final Map<String, String> ENDPOINTS =
      Map.of("REGISTRAR_ETCD_ENDPOINTS", "http://127.0.0.1:2379");

  @TempDir
  Path dir;

  private static ConfigException failure(List<String> args, Map<String, String> env) {
    try {
      ConfigLoader.load(args, env);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void defaultsAreThoseOfTheDesign() {
    RegistrarConfig config = ConfigLoader.load(List.of(), ENDPOINTS);
    assertThat(config.etcdEndpoints()).containsExactly(URI.create("http://127.0.0.1:2379"));
    assertThat(config.keyPrefix().path()).isEqualTo("/services");
    assertThat(config.clusterName()).isEqualTo("default");
    assertThat(config.watchesAllNamespaces()).isTrue();
    assertThat(config.namePolicy()).isEqualTo(NamePolicy.ANY);
    assertThat(config.etcdTls()).isEmpty();
    assertThat(config.etcdAuth()).isEmpty();
    assertThat(config.podReadinessGate()).isTrue();
    assertThat(config.topology()).isTrue();
    assertThat(config.leaderElection()).isFalse();
    assertThat(config.leaderElectionNamespace()).isEmpty();
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.resyncInterval()).isEqualTo(java.time.Duration.ofMinutes(5));
  }

  @Test
  void logFormatAndLevelAreChecked() {
    RegistrarConfig config = ConfigLoader.load(List.of("--log-format", "json", "--log-level", "DEBUG"), ENDPOINTS);
    assertThat(config.jsonLogs()).isTrue();
    assertThat(config.logLevel()).isEqualTo("debug");
    assertThat(ConfigLoader.load(List.of(), ENDPOINTS).jsonLogs()).isFalse();
    assertThat(failure(List.of("--log-format", "xml"), ENDPOINTS).getMessage())
        .isEqualTo("--log-format (REGISTRAR_LOG_FORMAT): 'xml' must be one of text, json");
    assertThat(failure(List.of("--log-level", "loud"), ENDPOINTS).getMessage())
        .isEqualTo("--log-level (REGISTRAR_LOG_LEVEL): 'loud' must be one of error, warn, info, debug, trace");
  }

  @Test
  void namePoliciesAreNamedAndAnythingElseIsRefused() {
    assertThat(ConfigLoader.load(List.of("--name-policy", "Namespace-Prefix"), ENDPOINTS).namePolicy())
        .isEqualTo(NamePolicy.NAMESPACE_PREFIX);
    assertThat(failure(List.of("--name-policy", "strict"), ENDPOINTS).getMessage())
        .isEqualTo("--name-policy (REGISTRAR_NAME_POLICY): 'strict' must be one of any, namespace-prefix, "
            + "namespace-annotation");
  }

  @Test
  void resyncIntervalsAreDurations() {
    assertThat(ConfigLoader.load(List.of("--resync-interval", "30s"), ENDPOINTS).resyncInterval())
        .isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(ConfigLoader.load(List.of("--resync-interval", "2h"), ENDPOINTS).resyncInterval())
        .isEqualTo(java.time.Duration.ofHours(2));
    assertThat(failure(List.of("--resync-interval", "500ms"), ENDPOINTS).getMessage())
        .isEqualTo("--resync-interval (REGISTRAR_RESYNC_INTERVAL): '500ms' must be a duration of at least 1s, such as 30s, 5m or 1h");
    assertThat(failure(List.of("--resync-interval", "5 minutes"), ENDPOINTS).getMessage())
        .startsWith("--resync-interval (REGISTRAR_RESYNC_INTERVAL): '5 minutes'");
    assertThat(failure(List.of("--reconcile-threads", "0"), ENDPOINTS).getMessage())
        .isEqualTo("--reconcile-threads (REGISTRAR_RECONCILE_THREADS): '0' must be a whole number from 1 to 200");
    assertThat(failure(List.of("--reconcile-threads", "201"), ENDPOINTS).getMessage()).contains("'201'");
    assertThat(failure(List.of("--reconcile-threads", "many"), ENDPOINTS).getMessage()).contains("'many'");
    assertThat(ConfigLoader.load(List.of("--reconcile-threads", "200"), ENDPOINTS).reconcileThreads()).isEqualTo(200);
    assertThat(ConfigLoader.load(List.of("--reconcile-threads", "1"), ENDPOINTS).reconcileThreads()).isEqualTo(1);
    assertThat(ConfigLoader.load(List.of(), ENDPOINTS).reconcileThreads()).isEqualTo(10);
  }

  @Test
  void everySettingIsReadFromItsEnvironmentVariable() throws IOException {
    Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
    Path ca = Files.writeString(dir.resolve("ca.crt"), "x");
    Path cert = Files.writeString(dir.resolve("tls.crt"), "x");
    Path key = Files.writeString(dir.resolve("tls.key"), "x");
    // A value other than the default for every setting there is: a new one fails here until added.
    Map<Setting, String> values = new java.util.EnumMap<>(Setting.class);
    values.put(Setting.ETCD_ENDPOINTS, "https://etcd-0:2379, https://etcd-1:2379");
    values.put(Setting.KEY_PREFIX, "/registry/prod");
    values.put(Setting.CLUSTER_NAME, "eu-1");
    values.put(Setting.WATCH_NAMESPACES, "shop,payments");
    values.put(Setting.NAME_POLICY, "namespace-annotation");
    values.put(Setting.ETCD_CA_FILE, ca.toString());
    values.put(Setting.ETCD_CERT_FILE, cert.toString());
    values.put(Setting.ETCD_KEY_FILE, key.toString());
    values.put(Setting.ETCD_USERNAME, "registrar");
    values.put(Setting.ETCD_PASSWORD_FILE, password.toString());
    values.put(Setting.POD_READINESS_GATE, "false");
    values.put(Setting.TOPOLOGY, "false");
    values.put(Setting.LEADER_ELECTION, "true");
    values.put(Setting.LEADER_ELECTION_NAMESPACE, "registrar-system");
    values.put(Setting.HTTP_PORT, "9090");
    values.put(Setting.RESYNC_INTERVAL, "90s");
    values.put(Setting.RECONCILE_THREADS, "4");
    values.put(Setting.LOG_FORMAT, "json");
    values.put(Setting.LOG_LEVEL, "debug");
    assertThat(values.keySet()).containsExactly(Setting.values());
    Map<String, String> env = new java.util.HashMap<>();
    values.forEach((setting, value) -> env.put(setting.env(), value));

    RegistrarConfig config = ConfigLoader.load(List.of(), env);
    assertThat(config.etcdEndpoints()).containsExactly(
        URI.create("https://etcd-0:2379"), URI.create("https://etcd-1:2379"));
    assertThat(config.keyPrefix().root()).isEqualTo("/registry/prod/");
    assertThat(config.clusterName()).isEqualTo("eu-1");
    assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("shop", "payments");
    assertThat(config.namePolicy()).isEqualTo(NamePolicy.NAMESPACE_ANNOTATION);
    assertThat(config.etcdTls()).hasValueSatisfying(tls -> {
      assertThat(tls.caFile()).contains(ca);
      assertThat(tls.certFile()).contains(cert);
      assertThat(tls.keyFile()).contains(key);
    });
    assertThat(config.etcdAuth()).hasValueSatisfying(auth -> {
      assertThat(auth.username()).isEqualTo("registrar");
      assertThat(auth.password()).isEqualTo("s3cret");
      assertThat(auth.toString()).doesNotContain("s3cret");
    });
    assertThat(config.podReadinessGate()).isFalse();
    assertThat(config.topology()).isFalse();
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaderElectionNamespace()).contains("registrar-system");
    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(config.resyncInterval()).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(config.reconcileThreads()).isEqualTo(4);
    assertThat(config.jsonLogs()).isTrue();
    assertThat(config.logLevel()).isEqualTo("debug");
  }

  @Test
  void aFlagWinsOverItsEnvironmentVariable() {
    RegistrarConfig config = ConfigLoader.load(
        List.of("--etcd-endpoints", "http://10.0.0.1:2379", "--key-prefix=/reg"),
        Map.of("REGISTRAR_ETCD_ENDPOINTS", "http://127.0.0.1:2379", "REGISTRAR_KEY_PREFIX", "/services"));
    assertThat(config.etcdEndpoints()).containsExactly(URI.create("http://10.0.0.1:2379"));
    assertThat(config.keyPrefix().path()).isEqualTo("/reg");
  }

  @Test
  void missingEndpointsNameTheSettingBothWays() {
    assertThat(failure(List.of(), Map.of()).getMessage())
        .isEqualTo("--etcd-endpoints (REGISTRAR_ETCD_ENDPOINTS): is required");
    assertThat(failure(List.of(), Map.of("REGISTRAR_ETCD_ENDPOINTS", " , ")).getMessage())
        .isEqualTo("--etcd-endpoints (REGISTRAR_ETCD_ENDPOINTS): is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:2379", "ftp://127.0.0.1:2379", "http://127.0.0.1", "http://:2379",
      "http://127.0.0.1:2379/v3", "http://127.0.0.1:2379 http://x:1"})
  void badEndpointsAreRefused(String endpoints) {
    assertThat(failure(List.of("--etcd-endpoints", endpoints), Map.of()).getMessage())
        .startsWith("--etcd-endpoints (REGISTRAR_ETCD_ENDPOINTS): '");
  }

  @ParameterizedTest
  @ValueSource(strings = {"services", "/services/", "/a//b", "/a/../b"})
  void badPrefixesAreRefused(String prefix) {
    assertThat(failure(List.of("--key-prefix", prefix), ENDPOINTS).getMessage())
        .startsWith("--key-prefix (REGISTRAR_KEY_PREFIX): '" + prefix + "'");
  }

  @Test
  void otherBadValuesNameTheirSetting() {
    assertThat(failure(List.of("--cluster-name", "Prod_1"), ENDPOINTS).getMessage())
        .startsWith("--cluster-name (REGISTRAR_CLUSTER_NAME): 'Prod_1' must be a DNS-1123 label");
    assertThat(failure(List.of("--watch-namespaces", "shop,Bad/ns"), ENDPOINTS).getMessage())
        .isEqualTo("--watch-namespaces (REGISTRAR_WATCH_NAMESPACES): 'Bad/ns' is not a valid namespace name");
    assertThat(failure(List.of("--leader-election", "yes"), ENDPOINTS).getMessage())
        .isEqualTo("--leader-election (REGISTRAR_LEADER_ELECTION): 'yes' must be true or false");
    assertThat(failure(List.of("--http-port", "70000"), ENDPOINTS).getMessage())
        .isEqualTo("--http-port (REGISTRAR_HTTP_PORT): '70000' must be a port number, 0 to 65535");
    assertThat(failure(List.of("--http-port", "http"), ENDPOINTS).getMessage())
        .startsWith("--http-port (REGISTRAR_HTTP_PORT): 'http'");
  }

  @Test
  void unknownArgumentsAndFlagsWithoutValuesAreRefused() {
    assertThat(failure(List.of("--etcd-endpoint", "http://x:1"), Map.of()).getMessage())
        .isEqualTo("unknown argument '--etcd-endpoint' (see --help)");
    assertThat(failure(List.of("--key-prefix"), ENDPOINTS).getMessage())
        .isEqualTo("--key-prefix (REGISTRAR_KEY_PREFIX): the flag needs a value");
  }

  @Test
  void tlsAndAuthFilesMustExistAndComeInPairs() throws IOException {
    Path cert = Files.writeString(dir.resolve("tls.crt"), "x");
    assertThat(failure(List.of("--etcd-ca-file", dir.resolve("nope").toString()), ENDPOINTS).getMessage())
        .isEqualTo("--etcd-ca-file (REGISTRAR_ETCD_CA_FILE): file " + dir.resolve("nope") + " does not exist");
    assertThat(failure(List.of("--etcd-cert-file", cert.toString()), ENDPOINTS).getMessage())
        .isEqualTo("--etcd-key-file (REGISTRAR_ETCD_KEY_FILE): is required when "
            + "--etcd-cert-file (REGISTRAR_ETCD_CERT_FILE) is set");
    assertThat(failure(List.of("--etcd-username", "registrar"), ENDPOINTS).getMessage())
        .isEqualTo("--etcd-password-file (REGISTRAR_ETCD_PASSWORD_FILE): is required when "
            + "--etcd-username (REGISTRAR_ETCD_USERNAME) is set");
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThat(failure(List.of("--etcd-username", "r", "--etcd-password-file", empty.toString()), ENDPOINTS)
        .getMessage()).endsWith(empty + " is empty");
  }

  @Test
  void usageListsEverySettingWithItsVariableAndDefault() {
    String usage = ConfigLoader.usage();
    for (Setting setting : Setting.values()) {
      assertThat(usage).contains(setting.flag()).contains(setting.env());
      setting.defaultValue().ifPresent(d -> assertThat(usage).contains("default: " + d));
    }
    assertThat(usage).contains("REGISTRAR_ETCD_ENDPOINTS").contains("default: /services");
  }
}
