package dev.registrar.operator.apiserver;

import static dev.registrar.operator.testing.TestObjects.gatedPod;
import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.apiserver.RenderedChart.Grant;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.AllowedNames;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.OperatorProcess;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import dev.registrar.testing.kubernetes.RealKubeApiServer.AuditEvent;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's RBAC, exactly, on a real API server that authorizes with RBAC: the shipped jar runs
 * as the chart's ServiceAccount (a TokenRequest token) through a whole lifecycle and is refused
 * nothing; and taking any single verb out of the rendered Roles makes it stop at start, naming
 * that verb. The cases are generated from the rendered rules, so a new verb needs no new test.
 */
class RbacApiServerIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String RELEASE = "registrar";
  static final String NAMESPACE = "registrar-system";

  /**
   * Granted, and required by the operator's start-up check (so each still has a case below), but
   * not called in a lifecycle, and why.
   */
  static final Map<String, Set<String>> GRANTED_UNCALLED = Map.of(
      // A race: JOSDK reads the registration again when its finalizer patch meets a conflict.
      "registrar.dev/serviceregistrations", Set.of("get"),
      // A race: the name policy reads a Namespace created a moment before its informer saw it.
      "/namespaces", Set.of("get"),
      // JOSDK will not elect without it (its SelfSubjectRulesReview check); fabric8 renews with patch.
      "coordination.k8s.io/leases", Set.of("update"));

  private static RealKubeApiServer api;

  @TempDir
  static Path logs;

  @BeforeAll
  static void cluster() {
    api = RealKubeApiServer.shared();
    RealCluster.installCrd(api);
  }

  static RenderedChart chart() {
    return RenderedChart.render(RealKubeApiServer.shared(), RELEASE, NAMESPACE,
        "etcd.endpoints={" + ETCD.endpointList() + "}");
  }

  @Test
  void theShippedChartsIdentityRunsAWholeLifecycleAndIsRefusedNothing() {
    RenderedChart chart = chart();
    chart.applyIdentity(api, Optional.empty());
    Path kubeconfig = api.kubeconfigFor(NAMESPACE, chart.serviceAccount().getMetadata().getName());
    KubernetesClient client = api.client();
    EtcdView etcd = new EtcdView(ETCD.client());
    String shop = "rbac-shop";
    Map<String, String> labels = Map.of("app", "rbac");
    client.resource(new NamespaceBuilder().withNewMetadata().withName(shop)
        .addToAnnotations(AllowedNames.ANNOTATION, "rbac").endMetadata().build()).serverSideApply();
    KubeletStandIn.node(client, "rbac-node", "eu-west-1a");

    try (OperatorProcess jar = launch(chart, kubeconfig, "shipped")) {
      Pod plain = pod(shop, "rbac-1", "10.31.0.1", labels, true);
      plain.getSpec().setNodeName("rbac-node");
      KubeletStandIn.run(client, plain);
      Pod gated = gatedPod(shop, "rbac-2", "10.31.0.2", labels, true);
      gated.getSpec().setNodeName("rbac-node");
      KubeletStandIn.run(client, gated);
      client.resource(registration(shop, "rbac", "rbac", labels, PortSpec.number("http", 8080))).create();

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(jar.isAlive()).as("the operator exited:\n%s", jar.log()).isTrue();
        assertThat(etcd.values("/services/rbac/")).containsOnlyKeys(
            "/services/rbac/10.31.0.1:8080", "/services/rbac/10.31.0.2:8080");
      });
      assertThat(etcd.values("/services/rbac/").values()).allMatch(v -> v.contains("\"zone\":\"eu-west-1a\""));
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        assertThat(gateOf(client, shop, "rbac-2")).isEqualTo("True");
        assertThat(readyOf(client, shop, "rbac")).isEqualTo("True");
        assertThat(client.v1().events().inNamespace(shop).list().getItems())
            .anyMatch(e -> "Registered".equals(e.getReason()));
      });
      Lease lease = client.leases().inNamespace(NAMESPACE).withName("registrar-leader").get();
      assertThat(lease.getSpec().getHolderIdentity()).as("the jar leads").isNotBlank();

      KubeletStandIn.setReady(client, shop, "rbac-1", false);
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
          assertThat(etcd.values("/services/rbac/")).containsOnlyKeys("/services/rbac/10.31.0.2:8080"));

      client.resources(ServiceRegistration.class).inNamespace(shop).withName("rbac").delete();
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        assertThat(client.resources(ServiceRegistration.class).inNamespace(shop).withName("rbac").get()).isNull();
        assertThat(etcd.values("/services/rbac/")).isEmpty();
      });

      jar.sigterm();
      assertThat(jar.awaitExit(Duration.ofSeconds(20))).as("exit code; log:\n%s", jar.log()).contains(0);
      assertThat(client.leases().inNamespace(NAMESPACE).withName("registrar-leader").get().getSpec().getHolderIdentity())
          .as("the Lease is released on SIGTERM").isNullOrEmpty();
    }

    List<AuditEvent> calls = api.audit(chart.username());
    assertThat(calls).as("the operator's calls, from the API server's audit log").isNotEmpty();
    assertThat(calls.stream().filter(c -> c.code() == 403).toList()).as("refused calls").isEmpty();
    Map<String, Set<String>> used = byPermission(calls.stream()
        // Every identity may ask what it may do, and read /version (system:basic-user, system:public-info-viewer).
        .filter(c -> !c.group().equals("authorization.k8s.io") && !c.resource().isEmpty())
        .map(c -> new String[] {c.permission(), c.isWatch() ? "watch" : c.verb()}));
    Map<String, Set<String>> granted = byPermission(chart.grants().stream()
        .map(g -> new String[] {g.permission(), g.verb()}));
    System.out.println("the operator called, as the chart's ServiceAccount: " + used);
    used.forEach((permission, verbs) -> assertThat(granted.getOrDefault(permission, Set.of()))
        .as("granted for %s", permission).containsAll(verbs));
    granted.forEach((permission, verbs) -> {
      Set<String> uncalled = new TreeSet<>(verbs);
      uncalled.removeAll(used.getOrDefault(permission, Set.of()));
      assertThat(GRANTED_UNCALLED.getOrDefault(permission, Set.of()))
          .as("granted for %s but never called, and not explained", permission).containsAll(uncalled);
    });
  }

  static Stream<Arguments> everyGrantedVerb() {
    List<Grant> grants = chart().grants();
    assertThat(grants).hasSizeGreaterThan(10);
    // A grant on one object that another grant covers (get namespaces/kube-system beside the name
    // policy's get on every Namespace) cannot be missed: taking it away stops nothing.
    return IntStream.range(0, grants.size())
        .filter(i -> grants.stream().noneMatch(other -> grants.get(i).coveredBy(other)))
        .mapToObj(i -> Arguments.of(i, grants.get(i)));
  }

  /**
   * Each case is a release of its own (its own ClusterRoles, namespace and ServiceAccount), so
   * that the cases run side by side: each jar stops at its start-up check.
   */
  @ParameterizedTest(name = "{1}")
  @MethodSource("everyGrantedVerb")
  @Execution(ExecutionMode.CONCURRENT)
  void takingAnyOneVerbAwayStopsTheOperatorNamingIt(int index, Grant granted) {
    String release = "rbac-case-" + index;
    RenderedChart chart = RenderedChart.render(api, release, release, "etcd.endpoints={" + ETCD.endpointList() + "}");
    Grant removed = chart.grants().get(index);
    assertThat(List.of(removed.group(), removed.resource(), removed.verb()))
        .as("the same grant in this release's chart").isEqualTo(List.of(granted.group(), granted.resource(), granted.verb()));
    chart.applyIdentity(api, Optional.of(removed));
    Path kubeconfig = api.kubeconfigFor(release, chart.serviceAccount().getMetadata().getName());
    try (OperatorProcess jar = launch(chart, kubeconfig, release)) {
      assertThat(jar.awaitExit(Duration.ofSeconds(60))).as("exit code; log:\n%s", jar.log()).contains(4);
      String resource = (removed.group().isEmpty() ? "" : removed.group() + "/") + removed.resource();
      assertThat(jar.log()).as("the operator names what it lacks")
          .contains("forbidden: " + removed.verb() + " " + resource)
          .contains("refuses 1 permission(s)");
      System.out.println("without " + removed + ":\n" + jar.log().lines().filter(l -> l.startsWith("registrar:"))
          .collect(Collectors.joining("\n")));
    }
  }

  private static OperatorProcess launch(RenderedChart chart, Path kubeconfig, String name) {
    Map<String, String> env = new HashMap<>(chart.env());
    env.put("REGISTRAR_ETCD_ENDPOINTS", ETCD.endpointList());
    env.remove("REGISTRAR_HTTP_PORT");
    env.put("KUBECONFIG", kubeconfig.toString());
    return OperatorProcess.launch(List.of(), env, logs.resolve("operator-" + name + ".log"));
  }

  private static Map<String, Set<String>> byPermission(Stream<String[]> pairs) {
    return pairs.collect(Collectors.groupingBy(p -> p[0], java.util.TreeMap::new,
        Collectors.mapping(p -> p[1], Collectors.toCollection(TreeSet::new))));
  }

  static String gateOf(KubernetesClient client, String namespace, String pod) {
    return client.pods().inNamespace(namespace).withName(pod).get().getStatus().getConditions().stream()
        .filter(c -> PodReadiness.GATE.equals(c.getType())).map(c -> c.getStatus()).findFirst().orElse("(none)");
  }

  static String readyOf(KubernetesClient client, String namespace, String name) {
    ServiceRegistration registration = client.resources(ServiceRegistration.class).inNamespace(namespace).withName(name).get();
    if (registration == null || registration.getStatus() == null || registration.getStatus().getConditions() == null) {
      return "(none)";
    }
    return registration.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
        .map(c -> c.getStatus()).findFirst().orElse("(none)");
  }
}
