package dev.registrar.operator.chart;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.AllowedNames;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/rbac.md against what the code really calls: the operator runs a whole lifecycle (leader
 * election, registration, readiness change, conflict, deletion) against the mock API, every
 * request it makes is recorded, and each (resource, verb) must be in the documented table, which
 * the chart is held to by HelmChartTest. A documented verb that nothing calls must say why here.
 */
class RbacUsageIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String AGENT = "registrar-under-test";

  /** Granted though this scenario does not call them, and why. */
  static final Map<String, Set<String>> GRANTED_UNCALLED = Map.of(
      // JOSDK reads the registration again when a finalizer patch meets a conflict.
      "registrar.dev/serviceregistrations", Set.of("get"),
      // JOSDK's start-up check (a SelfSubjectRulesReview) insists on update; fabric8 patches.
      "coordination.k8s.io/leases", Set.of("update"),
      // The readiness gate reads a gated Pod before its first write, and again when a write met a
      // Pod changed under it: called whenever the scenario's gated Pod is written.
      "/pods", Set.of("get"));

  // /api/v1/namespaces/ns/pods/name/status, /apis/group/version/namespaces/ns/resource/name
  private static final Pattern PATH = Pattern.compile(
      "^/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/[^/]+)?/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?(?:\\?(.*))?$");

  @Test
  void everyCallTheOperatorMakesIsDocumentedAndEveryDocumentedVerbIsCalledOrExplained() {
    Map<String, Set<String>> used = new TreeMap<>();
    try (MockKubernetesApi api = MockKubernetesApi.startWithLeaderElection();
         KubernetesClient operatorClient = api.newClient(AGENT)) {
      KubernetesClient client = api.client();
      EtcdView etcd = new EtcdView(ETCD.client());
      Map<String, String> labels = Map.of("app", "rbac");
      // The chart's default name policy: the widest access the operator can have.
      client.resource(namespace("shop", "rbac")).create();
      client.resource(namespace("other", "rbac")).create();
      try (RunningOperator operator = RunningOperator.start(operatorClient, ETCD.endpointList(),
          "--leader-election", "true", "--leader-election-namespace", "registrar",
          "--name-policy", "namespace-annotation")) {
        client.resource(pod("shop", "rbac-1", "10.12.0.1", labels, true)).create();
        client.resource(pod("shop", "rbac-2", "10.12.0.2", labels, true)).create();
        // A gated Pod (its condition is written through pods/status) on a node with a zone (Nodes are read).
        client.resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("node-1")
            .addToLabels("topology.kubernetes.io/zone", "eu-west-1a").endMetadata().build()).create();
        client.resource(dev.registrar.operator.testing.TestObjects.gatedPod("shop", "rbac-3", "10.12.0.3", labels, true))
            .create();
        client.resource(registration("shop", "rbac", "rbac", labels, PortSpec.number("http", 80))).create();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(etcd.values("/services/rbac/")).hasSize(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace("shop").withName("rbac-3").get()
            .getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("registrar.dev/registered")));
        client.pods().inNamespace("shop").withName("rbac-2").editStatus(p -> {
          p.getStatus().getConditions().forEach(c -> c.setStatus("False"));
          return p;
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(etcd.values("/services/rbac/")).hasSize(2));
        client.resource(registration("other", "rbac", "rbac", labels, PortSpec.number("http", 80))).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace("other").list().getItems()
            .stream().anyMatch(e -> e.getReason().equals("Conflict")));
        // A namespace the informer has not seen (none exists here): read once, name refused.
        client.resource(registration("unlisted", "rbac", "rbac", labels, PortSpec.number("http", 80))).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace("unlisted").list().getItems()
            .stream().anyMatch(e -> e.getReason().equals("NameNotAllowed")));
        client.resources(ServiceRegistration.class).inNamespace("unlisted").withName("rbac").delete();
        client.resources(ServiceRegistration.class).inNamespace("other").withName("rbac").delete();
        client.resources(ServiceRegistration.class).inNamespace("shop").withName("rbac").delete();
        await().atMost(Duration.ofSeconds(10)).until(() ->
            client.resources(ServiceRegistration.class).inNamespace("shop").withName("rbac").get() == null);
      }
      for (RecordedRequest request : api.takeRequests()) {
        // Every identity may ask what it may do (system:basic-user): no grant, so no row.
      if (AGENT.equals(request.getHeader("User-Agent")) && !request.getPath().startsWith("/apis/authorization.k8s.io/")) {
          String[] permission = permissionOf(request);
          used.computeIfAbsent(permission[0], k -> new TreeSet<>()).add(permission[1]);
        }
      }
    }
    System.out.println("the operator called: " + used);
    Map<String, Set<String>> documented = DocumentedRbac.permissions();
    assertThat(used).isNotEmpty();
    used.forEach((resource, verbs) -> assertThat(documented.getOrDefault(resource, Set.of()))
        .as("docs/rbac.md grants for %s", resource).containsAll(verbs));
    documented.forEach((resource, verbs) -> {
      Set<String> uncalled = new TreeSet<>(verbs);
      uncalled.removeAll(used.getOrDefault(resource, Set.of()));
      assertThat(GRANTED_UNCALLED.getOrDefault(resource, Set.of()))
          .as("documented for %s but never called, and not explained", resource).containsAll(uncalled);
    });
  }

  static Namespace namespace(String name, String allowedServiceNames) {
    return new NamespaceBuilder().withNewMetadata().withName(name)
        .addToAnnotations(AllowedNames.ANNOTATION, allowedServiceNames).endMetadata().build();
  }

  /** "group/resource[/subresource]" and the RBAC verb of one request. */
  static String[] permissionOf(RecordedRequest request) {
    Matcher m = PATH.matcher(request.getPath());
    if (!m.matches()) {
      throw new AssertionError("unexpected request path " + request.getPath());
    }
    String group = m.group(1) == null ? "" : m.group(1);
    String resource = m.group(2);
    String name = m.group(3);
    String subresource = m.group(4);
    String query = m.group(5) == null ? "" : m.group(5);
    String verb = switch (request.getMethod()) {
      case "GET" -> query.contains("watch=true") ? "watch" : name == null ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name == null ? "deletecollection" : "delete";
      default -> throw new AssertionError("unexpected method " + request.getMethod());
    };
    // The one grant on a named object: get namespaces/kube-system, the cluster's ID.
    String named = "namespaces".equals(resource) && "kube-system".equals(name) && "get".equals(verb) ? ":kube-system" : "";
    return new String[] {group + "/" + resource + (subresource == null ? "" : "/" + subresource) + named, verb};
  }
}
