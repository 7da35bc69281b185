package dev.registrar.operator.chart;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import dev.registrar.operator.config.ConfigLoader;
import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.config.Setting;
import dev.registrar.operator.model.NamePolicy;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** helm/registrar, rendered by the real Helm library and read back as Kubernetes objects. */
class HelmChartTest {

  static final List<String> ENDPOINTS = List.of("https://etcd-0.etcd.db.svc:2379", "https://etcd-1.etcd.db.svc:2379");

  /** The least a user must set: where etcd is. */
  static final Map<String, Object> MINIMAL = Map.of("etcd", Map.of("endpoints", ENDPOINTS));

  /** Every value changed from its default (etcd.deploy has its own case). */
  static final Map<String, Object> EVERYTHING_CHANGED = Map.ofEntries(
      entry("image", Map.of("repository", "registry.example.com/platform/registrar", "tag", "1.2.3",
          "pullPolicy", "Always")),
      entry("imagePullSecrets", List.of(Map.of("name", "registry-credentials"))),
      entry("replicas", 3),
      entry("etcd", Map.of("endpoints", ENDPOINTS,
          "tls", Map.of("existingSecret", "etcd-client-tls"),
          "auth", Map.of("username", "registrar", "existingSecret", "etcd-registrar-password", "passwordKey", "pw"))),
      entry("keyPrefix", "/registry/prod"),
      entry("clusterName", "prod-eu-1"),
      entry("watchNamespaces", List.of("shop", "web")),
      entry("namePolicy", "namespace-prefix"),
      entry("podReadinessGate", false),
      entry("topology", false),
      entry("resyncInterval", "10m"),
      entry("logLevel", "debug"),
      entry("logFormat", "json"),
      entry("httpPort", 9090),
      entry("serviceAccount", Map.of("create", false, "name", "registrar-operator",
          "annotations", Map.of("example.com/owner", "platform"))),
      entry("podAnnotations", Map.of("example.com/scrape", "true")),
      entry("podLabels", Map.of("team", "platform")),
      entry("resources", Map.of("requests", Map.of("cpu", "200m", "memory", "384Mi"),
          "limits", Map.of("cpu", "1", "memory", "768Mi"))),
      entry("javaOptions", "-XX:MaxRAMPercentage=60"),
      entry("nodeSelector", Map.of("kubernetes.io/os", "linux")),
      entry("tolerations", List.of(Map.of("key", "dedicated", "operator", "Equal", "value", "infra",
          "effect", "NoSchedule"))),
      entry("affinity", Map.of("nodeAffinity", Map.of("requiredDuringSchedulingIgnoredDuringExecution",
          Map.of("nodeSelectorTerms", List.of(Map.of("matchExpressions", List.of(
              Map.of("key", "node-role.kubernetes.io/infra", "operator", "Exists")))))))),
      entry("podDisruptionBudget", Map.of("minAvailable", 2)),
      entry("metrics", Map.of("service", Map.of("annotations", Map.of("prometheus.io/scrape", "true")),
          "serviceMonitor", Map.of("enabled", true, "interval", "15s", "labels", Map.of("release", "prometheus")))));

  static final Map<String, Object> EVALUATION = Map.of("etcd", Map.of("deploy", true));

  static final Set<String> SETTING_ENVS = Arrays.stream(Setting.values()).map(Setting::env)
      .collect(Collectors.toSet());

  @Test
  void theChartsAppVersionIsTheProjectVersion() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> chart = Serialization.unmarshal(Files.readString(HelmChart.CHART.resolve("Chart.yaml")), Map.class);
    assertThat(chart).containsEntry("apiVersion", "v2");
    assertThat(chart.get("appVersion")).isEqualTo(System.getProperty("registrar.version"));
  }

  @Test
  void lintStrictPassesWithDefaultsWithEveryValueChangedAndWithTheEvaluationEtcd() {
    for (Map<String, Object> values : List.of(Map.<String, Object>of(), MINIMAL, EVERYTHING_CHANGED, EVALUATION)) {
      LintResult lint = HelmChart.lintStrict(values);
      assertThat(lint.isFailed()).as("helm lint --strict with %s: %s", values, lint.getMessages()).isFalse();
    }
  }

  @Test
  void withoutEtcdEndpointsTemplatingFailsSayingWhatToSet() {
    assertThatThrownBy(() -> HelmChart.template(Map.of()))
        .hasMessageContaining("etcd.endpoints is required")
        .hasMessageContaining("etcd.deploy=true");
  }

  @Test
  void aWrongTypedValueFailsWithTheSchemasMessage() {
    assertThatThrownBy(() -> HelmChart.template(HelmChart.merge(MINIMAL, Map.of("replicas", "two"))))
        .satisfies(e -> System.out.println("replicas: \"two\" -> " + e.getMessage()))
        .hasMessageContaining("replicas")
        .hasMessageContaining("integer");
    assertThatThrownBy(() -> HelmChart.template(HelmChart.merge(MINIMAL, Map.of("logLevel", "verbose"))))
        .hasMessageContaining("logLevel");
    assertThatThrownBy(() -> HelmChart.template(HelmChart.merge(MINIMAL, Map.of("replicaCount", 2))))
        .hasMessageContaining("replicaCount");
  }

  @Test
  void defaultsRunTwoReplicasWithLeaderElectionAndAPodDisruptionBudget() {
    HelmChart.Rendered chart = HelmChart.template(MINIMAL);
    assertThat(chart.deployment().getSpec().getReplicas()).isEqualTo(2);
    assertThat(chart.deployment().getMetadata().getNamespace()).isEqualTo(HelmChart.NAMESPACE);
    assertThat(chart.operatorContainer().getImage())
        .isEqualTo("ghcr.io/registrar-dev/registrar-operator:" + System.getProperty("registrar.version"));
    PodDisruptionBudget pdb = chart.one(PodDisruptionBudget.class).orElseThrow();
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(chart.deployment().getSpec().getSelector().getMatchLabels());
    Service metrics = chart.one(Service.class).orElseThrow();
    assertThat(metrics.getSpec().getSelector()).isEqualTo(chart.deployment().getSpec().getSelector().getMatchLabels());
    assertThat(metrics.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);
    assertThat(chart.all(GenericKubernetesResource.class)).as("no ServiceMonitor unless enabled").isEmpty();
    assertThat(chart.all(StatefulSet.class)).as("no evaluation etcd unless asked").isEmpty();

    RegistrarConfig config = operatorConfig(chart);
    assertThat(config.etcdEndpoints()).containsExactly(URI.create(ENDPOINTS.get(0)), URI.create(ENDPOINTS.get(1)));
    assertThat(config.keyPrefix().path()).isEqualTo("/services");
    assertThat(config.clusterName()).isEqualTo("default");
    assertThat(config.watchesAllNamespaces()).isTrue();
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaderElectionNamespace()).contains(HelmChart.NAMESPACE);
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.etcdTls()).isEmpty();
    assertThat(config.etcdAuth()).isEmpty();
  }

  @Test
  void everyEnvironmentVariableIsOneOfTheOperatorsSettings() {
    for (Map<String, Object> values : List.of(MINIMAL, EVERYTHING_CHANGED, EVALUATION)) {
      Map<String, String> env = HelmChart.template(values).env();
      assertThat(env.keySet()).as("env of %s", values)
          .allSatisfy(name -> assertThat(name).isIn(union(SETTING_ENVS, Set.of("JAVA_TOOL_OPTIONS", "MALLOC_ARENA_MAX"))));
      assertThat(env).containsKey(Setting.ETCD_ENDPOINTS.env());
    }
    // The memory settings the footprint benchmark measured (docs/benchmarks.md): 377 MiB peak at
    // 10,000 Pods under the 512 MiB limit.
    assertThat(HelmChart.template(MINIMAL).env()).contains(
        entry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=40 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"),
        entry("MALLOC_ARENA_MAX", "2"));
    Map<String, String> env = HelmChart.template(EVERYTHING_CHANGED).env();
    assertThat(env).contains(
        entry(Setting.ETCD_ENDPOINTS.env(), String.join(",", ENDPOINTS)),
        entry(Setting.KEY_PREFIX.env(), "/registry/prod"),
        entry(Setting.CLUSTER_NAME.env(), "prod-eu-1"),
        entry(Setting.WATCH_NAMESPACES.env(), "shop,web"),
        entry(Setting.LEADER_ELECTION.env(), "true"),
        entry(Setting.LEADER_ELECTION_NAMESPACE.env(), HelmChart.NAMESPACE),
        entry(Setting.POD_READINESS_GATE.env(), "false"),
        entry(Setting.TOPOLOGY.env(), "false"),
        entry(Setting.HTTP_PORT.env(), "9090"),
        entry(Setting.RESYNC_INTERVAL.env(), "10m"),
        entry(Setting.LOG_FORMAT.env(), "json"),
        entry(Setting.LOG_LEVEL.env(), "debug"),
        entry(Setting.ETCD_USERNAME.env(), "registrar"),
        entry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=60"));
  }

  @Test
  void thePodIsHardenedAndProbed() {
    for (Map<String, Object> values : List.of(MINIMAL, EVERYTHING_CHANGED)) {
      HelmChart.Rendered chart = HelmChart.template(values);
      PodSpec pod = chart.deployment().getSpec().getTemplate().getSpec();
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      Container container = chart.operatorContainer();
      var security = container.getSecurityContext();
      assertThat(security.getRunAsNonRoot()).isTrue();
      assertThat(security.getReadOnlyRootFilesystem()).isTrue();
      assertThat(security.getAllowPrivilegeEscalation()).isFalse();
      assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
      assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
      assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
      int port = Integer.parseInt(chart.env().get(Setting.HTTP_PORT.env()));
      assertThat(container.getPorts()).singleElement().satisfies(p -> {
        assertThat(p.getContainerPort()).isEqualTo(port);
        assertThat(p.getName()).isEqualTo(container.getLivenessProbe().getHttpGet().getPort().getStrVal());
      });
      // Longer than the operator's own stop deadline, after which it halts: SIGKILL never comes first.
      assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(15L)
          .isGreaterThan(dev.registrar.operator.Main.STOP_DEADLINE.toSeconds());
      // A read-only root needs a writable /tmp for the JVM.
      assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
      assertThat(container.getResources().getLimits()).containsKey("memory");
    }
  }

  @Test
  void rbacIsExactlyTheDocumentedListBoundByAClusterRoleWhenWatchingAllNamespaces() {
    HelmChart.Rendered chart = HelmChart.template(MINIMAL);
    assertThat(granted(chart)).isEqualTo(DocumentedRbac.permissions());
    assertNoWildcardsAndNoSecrets(chart);

    ClusterRole watch = chart.all(ClusterRole.class).stream()
        .filter(role -> role.getRules().stream().anyMatch(r -> r.getResources().contains("pods")))
        .findFirst().orElseThrow();
    ClusterRoleBinding binding = chart.all(ClusterRoleBinding.class).stream()
        .filter(b -> b.getRoleRef().getName().equals(watch.getMetadata().getName())).findFirst().orElseThrow();
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo(chart.deployment().getSpec().getTemplate().getSpec().getServiceAccountName());
      assertThat(s.getNamespace()).isEqualTo(HelmChart.NAMESPACE);
    });
    // Leases only in the release namespace, through a Role.
    assertThat(chart.all(Role.class)).singleElement().satisfies(role -> {
      assertThat(role.getMetadata().getNamespace()).isEqualTo(HelmChart.NAMESPACE);
      assertThat(role.getRules()).singleElement().satisfies(r -> assertThat(r.getResources()).containsExactly("leases"));
    });
    assertThat(chart.all(RoleBinding.class)).singleElement()
        .satisfies(b -> assertThat(b.getRoleRef().getKind()).isEqualTo("Role"));
  }

  @Test
  void watchNamespacesGetARoleEachAndNoClusterWideRead() {
    HelmChart.Rendered chart = HelmChart.template(HelmChart.merge(MINIMAL, Map.of("watchNamespaces", List.of("shop", "web"))));
    assertThat(granted(chart)).isEqualTo(DocumentedRbac.permissions());
    assertNoWildcardsAndNoSecrets(chart);
    for (String namespace : List.of("shop", "web")) {
      Role role = chart.all(Role.class).stream().filter(r -> r.getMetadata().getNamespace().equals(namespace))
          .findFirst().orElseThrow(() -> new AssertionError("no Role in " + namespace));
      assertThat(grants(role.getRules())).isEqualTo(DocumentedRbac.perWatchedNamespace());
      assertThat(chart.all(RoleBinding.class)).anySatisfy(b -> {
        assertThat(b.getMetadata().getNamespace()).isEqualTo(namespace);
        assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(b.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
      });
    }
    // Cluster-scoped grants left: reading Namespaces and Nodes (cluster-scoped objects) for the
    // default name policy and topology, and the one Namespace kube-system for the cluster's ID.
    assertThat(chart.all(ClusterRole.class)).extracting(role -> grants(role.getRules()).keySet())
        .containsExactlyInAnyOrder(Set.of("/namespaces"), Set.of("/nodes"), Set.of("/namespaces:kube-system"));
    assertThat(operatorConfig(chart).watchNamespaces()).containsExactlyInAnyOrder("shop", "web");
  }

  @Test
  void theDefaultNamePolicyIsNamespaceAnnotationWithAClusterWideReadOfNamespacesOnly() {
    HelmChart.Rendered chart = HelmChart.template(MINIMAL);
    assertThat(chart.env()).containsEntry(Setting.NAME_POLICY.env(), "namespace-annotation");
    assertThat(operatorConfig(chart).namePolicy()).isEqualTo(NamePolicy.NAMESPACE_ANNOTATION);
    ClusterRole namespaces = chart.all(ClusterRole.class).stream()
        .filter(role -> role.getRules().stream().anyMatch(r -> r.getResources().contains("namespaces")))
        .findFirst().orElseThrow();
    assertThat(grants(namespaces.getRules())).isEqualTo(Map.of("/namespaces", Set.of("get", "list", "watch")));
    assertThat(chart.all(ClusterRoleBinding.class))
        .anySatisfy(b -> assertThat(b.getRoleRef().getName()).isEqualTo(namespaces.getMetadata().getName()));
  }

  @Test
  void theOtherNamePoliciesGrantNoAccessToNamespaces() {
    for (String policy : List.of("any", "namespace-prefix")) {
      HelmChart.Rendered chart = HelmChart.template(HelmChart.merge(MINIMAL, Map.of("namePolicy", policy)));
      assertThat(chart.env()).containsEntry(Setting.NAME_POLICY.env(), policy);
      assertThat(operatorConfig(chart).namePolicy().text()).isEqualTo(policy);
      assertThat(granted(chart)).as(policy).isEqualTo(DocumentedRbac.withoutNamespaces());
    }
    assertThatThrownBy(() -> HelmChart.template(HelmChart.merge(MINIMAL, Map.of("namePolicy", "strict"))))
        .hasMessageContaining("namePolicy");
  }

  @Test
  void theReadinessGateIsOnByDefaultWithItsPodStatusPermissionAndOffGrantsNoWriteToPods() {
    HelmChart.Rendered on = HelmChart.template(MINIMAL);
    assertThat(on.env()).containsEntry(Setting.POD_READINESS_GATE.env(), "true");
    assertThat(operatorConfig(on).podReadinessGate()).isTrue();
    assertThat(granted(on)).containsEntry("/pods/status", Set.of("patch")).containsEntry("/pods", Set.of("get", "list", "watch"));

    for (Map<String, Object> values : List.of(MINIMAL, Map.<String, Object>of("watchNamespaces", List.of("shop")))) {
      HelmChart.Rendered off = HelmChart.template(HelmChart.merge(HelmChart.merge(MINIMAL, values),
          Map.of("podReadinessGate", false)));
      assertThat(off.env()).containsEntry(Setting.POD_READINESS_GATE.env(), "false");
      assertThat(operatorConfig(off).podReadinessGate()).isFalse();
      assertThat(granted(off)).isEqualTo(DocumentedRbac.withoutReadinessGate());
      assertThat(HelmChart.lintStrict(HelmChart.merge(values, Map.of("podReadinessGate", false,
          "etcd", Map.of("endpoints", ENDPOINTS)))).isFailed()).isFalse();
    }
    assertThatThrownBy(() -> HelmChart.template(HelmChart.merge(MINIMAL, Map.of("podReadinessGate", "yes"))))
        .hasMessageContaining("podReadinessGate");
  }

  @Test
  void topologyIsOnByDefaultWithAClusterWideReadOfNodesOnlyAndOffGrantsNothingOnNodes() {
    HelmChart.Rendered on = HelmChart.template(HelmChart.merge(MINIMAL, Map.of("watchNamespaces", List.of("shop"))));
    assertThat(on.env()).containsEntry(Setting.TOPOLOGY.env(), "true");
    assertThat(operatorConfig(on).topology()).isTrue();
    ClusterRole nodes = on.all(ClusterRole.class).stream()
        .filter(role -> role.getRules().stream().anyMatch(r -> r.getResources().contains("nodes")))
        .findFirst().orElseThrow();
    assertThat(grants(nodes.getRules())).isEqualTo(Map.of("/nodes", Set.of("list", "watch")));
    assertThat(on.all(ClusterRoleBinding.class))
        .anySatisfy(b -> assertThat(b.getRoleRef().getName()).isEqualTo(nodes.getMetadata().getName()));

    HelmChart.Rendered off = HelmChart.template(HelmChart.merge(MINIMAL, Map.of("topology", false)));
    assertThat(off.env()).containsEntry(Setting.TOPOLOGY.env(), "false");
    assertThat(operatorConfig(off).topology()).isFalse();
    assertThat(granted(off)).isEqualTo(DocumentedRbac.withoutTopology());
    assertThat(HelmChart.lintStrict(HelmChart.merge(MINIMAL, Map.of("topology", false))).isFailed()).isFalse();
  }

  @Test
  void oneReplicaTurnsLeaderElectionOffAndHasNoDisruptionBudget() {
    HelmChart.Rendered chart = HelmChart.template(HelmChart.merge(MINIMAL, Map.of("replicas", 1)));
    assertThat(chart.deployment().getSpec().getReplicas()).isEqualTo(1);
    assertThat(chart.all(PodDisruptionBudget.class)).isEmpty();
    assertThat(chart.env()).containsEntry(Setting.LEADER_ELECTION.env(), "false")
        .doesNotContainKey(Setting.LEADER_ELECTION_NAMESPACE.env());
    assertThat(operatorConfig(chart).leaderElection()).isFalse();
    assertThat(granted(chart)).isEqualTo(DocumentedRbac.withoutLeaderElection());
    assertThat(chart.all(Role.class)).isEmpty();
  }

  @Test
  void etcdTlsAndPasswordComeFromSecretsMountedReadOnly() {
    HelmChart.Rendered chart = HelmChart.template(EVERYTHING_CHANGED);
    Map<String, String> env = chart.env();
    Container container = chart.operatorContainer();
    PodSpec pod = chart.deployment().getSpec().getTemplate().getSpec();

    Map<String, String> files = Map.of(
        Setting.ETCD_CA_FILE.env(), "etcd-client-tls:ca.crt",
        Setting.ETCD_CERT_FILE.env(), "etcd-client-tls:tls.crt",
        Setting.ETCD_KEY_FILE.env(), "etcd-client-tls:tls.key",
        Setting.ETCD_PASSWORD_FILE.env(), "etcd-registrar-password:pw");
    files.forEach((setting, secretAndKey) -> {
      String path = env.get(setting);
      assertThat(path).as(setting).isNotNull();
      VolumeMount mount = container.getVolumeMounts().stream()
          .filter(m -> path.startsWith(m.getMountPath() + "/")).findFirst()
          .orElseThrow(() -> new AssertionError(setting + "=" + path + " is not under any volume mount"));
      assertThat(mount.getReadOnly()).as("mount of " + setting).isTrue();
      Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
      String[] expected = secretAndKey.split(":");
      assertThat(volume.getSecret().getSecretName()).isEqualTo(expected[0]);
      String fileName = path.substring(mount.getMountPath().length() + 1);
      assertThat(volume.getSecret().getItems())
          .anySatisfy(item -> {
            assertThat(item.getKey()).isEqualTo(expected[1]);
            assertThat(item.getPath()).isEqualTo(fileName);
          });
    });
    assertThatThrownBy(() -> HelmChart.template(HelmChart.merge(MINIMAL,
        Map.of("etcd", Map.of("auth", Map.of("username", "registrar"))))))
        .hasMessageContaining("etcd.auth.existingSecret is required with etcd.auth.username");
    // Secrets reach the operator as files only: no env var is read from a Secret.
    assertThat(container.getEnv()).allSatisfy(v -> assertThat(v.getValueFrom()).isNull());
    assertThat(container.getEnvFrom()).isNullOrEmpty();
  }

  @Test
  void theEvaluationEtcdIsDeployedAndUsed() {
    HelmChart.Rendered chart = HelmChart.template(EVALUATION);
    StatefulSet etcd = chart.one(StatefulSet.class).orElseThrow();
    assertThat(etcd.getSpec().getReplicas()).isEqualTo(1);
    assertThat(etcd.getMetadata().getNamespace()).isEqualTo(HelmChart.NAMESPACE);
    Service etcdService = chart.all(Service.class).stream()
        .filter(s -> s.getMetadata().getName().equals(etcd.getSpec().getServiceName())).findFirst().orElseThrow();
    assertThat(etcdService.getSpec().getSelector().entrySet())
        .isSubsetOf(etcd.getSpec().getTemplate().getMetadata().getLabels().entrySet());
    assertThat(chart.deployment().getSpec().getTemplate().getMetadata().getLabels().entrySet()
        .containsAll(etcdService.getSpec().getSelector().entrySet()))
        .as("etcd's Service must not select the operator's Pods").isFalse();
    assertThat(operatorConfig(chart).etcdEndpoints()).containsExactly(URI.create(
        "http://" + etcdService.getMetadata().getName() + "." + HelmChart.NAMESPACE + ".svc:2379"));
    var security = etcd.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");

    assertThatThrownBy(() -> HelmChart.template(HelmChart.merge(EVALUATION,
        Map.of("etcd", Map.of("tls", Map.of("existingSecret", "etcd-client-tls"))))))
        .hasMessageContaining("etcd.deploy=true runs its own plain-HTTP etcd");
  }

  @Test
  void aServiceMonitorWhenAskedFor() {
    HelmChart.Rendered chart = HelmChart.template(EVERYTHING_CHANGED);
    GenericKubernetesResource monitor = chart.all(GenericKubernetesResource.class).stream()
        .filter(r -> r.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
    @SuppressWarnings("unchecked")
    Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("endpoints")).get(0);
    assertThat(endpoint).containsEntry("path", "/metrics").containsEntry("interval", "15s");
    Service metrics = chart.one(Service.class).orElseThrow();
    assertThat(endpoint.get("port")).isEqualTo(metrics.getSpec().getPorts().get(0).getName());
  }

  /** What the operator would make of the rendered environment (files of Secrets left out). */
  private static RegistrarConfig operatorConfig(HelmChart.Rendered chart) {
    Map<String, String> env = new LinkedHashMap<>(chart.env());
    env.keySet().retainAll(SETTING_ENVS);
    return ConfigLoader.load(List.of(), env);
  }

  private static Map<String, Set<String>> granted(HelmChart.Rendered chart) {
    return grants(chart.rules().stream().map(HelmChart.Rule::rule).toList());
  }

  private static Map<String, Set<String>> grants(List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> rules) {
    Map<String, Set<String>> grants = new TreeMap<>();
    for (var rule : rules) {
      // Named objects only where the table says "(only `name`)": the cluster ID's kube-system.
      List<String> names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
          ? List.of("") : rule.getResourceNames().stream().map(n -> ":" + n).toList();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String name : names) {
            grants.computeIfAbsent(group + "/" + resource + name, k -> new TreeSet<>()).addAll(rule.getVerbs());
          }
        }
      }
    }
    return grants;
  }

  private static void assertNoWildcardsAndNoSecrets(HelmChart.Rendered chart) {
    assertThat(chart.rules()).allSatisfy(r -> {
      assertThat(r.rule().getApiGroups()).as(r.source()).doesNotContain("*");
      assertThat(r.rule().getResources()).as(r.source()).doesNotContain("*", "secrets");
      assertThat(r.rule().getVerbs()).as(r.source()).doesNotContain("*");
      assertThat(r.rule().getNonResourceURLs()).as(r.source()).isNullOrEmpty();
    });
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }
}
