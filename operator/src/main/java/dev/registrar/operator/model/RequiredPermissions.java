package dev.registrar.operator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every Kubernetes permission the operator uses with a configuration, and where: the code's own
 * copy of docs/rbac.md's table (a test holds the two together), so that the operator can ask the
 * API server at start whether its identity has each of them.
 */
public final class RequiredPermissions {

  /**
   * One verb on one resource, in a namespace or cluster-wide (empty), and why it is needed.
   *
   * @param name the one object it is needed on (RBAC's resourceNames), or "" for any
   */
  public record Permission(String group, String resource, String subresource, String verb, Optional<String> namespace,
      String why, String name) {

    public Permission(String group, String resource, String subresource, String verb, Optional<String> namespace,
        String why) {
      this(group, resource, subresource, verb, namespace, why, "");
    }

    /** "group/resource[/subresource][:name]", the form of docs/rbac.md's table. */
    public String path() {
      return group + "/" + resource + (subresource.isEmpty() ? "" : "/" + subresource) + (name.isEmpty() ? "" : ":" + name);
    }

    /** "patch pods/status in namespace shop", "list nodes (cluster-wide)": what a user greps for. */
    public String describe() {
      String what = (group.isEmpty() ? "" : group + "/") + resource + (subresource.isEmpty() ? "" : "/" + subresource)
          + (name.isEmpty() ? "" : " " + name);
      return verb + " " + what + namespace.map(n -> " in namespace " + n).orElse(" (cluster-wide)");
    }
  }

  /** What the operator's settings decide about its access. */
  public record Scope(Set<String> watchNamespaces, boolean readinessGate, boolean topology, boolean readsNamespaces,
      Optional<String> leaderElectionNamespace) {}

  private RequiredPermissions() {}

  public static List<Permission> of(Scope scope) {
    List<Optional<String>> watched = scope.watchNamespaces().isEmpty() ? List.of(Optional.empty())
        : scope.watchNamespaces().stream().sorted().map(Optional::of).toList();
    List<Permission> permissions = new ArrayList<>();
    for (Optional<String> namespace : watched) {
      String registrations = "registrar.dev";
      for (String verb : List.of("get", "list", "watch")) {
        permissions.add(new Permission(registrations, "serviceregistrations", "", verb, namespace,
            "the ServiceRegistration informer"));
      }
      permissions.add(new Permission(registrations, "serviceregistrations", "", "patch", namespace,
          "adding and removing the finalizer"));
      permissions.add(new Permission(registrations, "serviceregistrations", "status", "patch", namespace,
          "writing status"));
      for (String verb : List.of("list", "watch")) {
        permissions.add(new Permission("", "pods", "", verb, namespace, "the Pod informer"));
      }
      if (scope.readinessGate()) {
        permissions.add(new Permission("", "pods", "", "get", namespace,
            "the readiness gate (REGISTRAR_POD_READINESS_GATE) reads a Pod before its first write"));
        permissions.add(new Permission("", "pods", "status", "patch", namespace,
            "the readiness gate (REGISTRAR_POD_READINESS_GATE) writes the condition registrar.dev/registered"));
      }
      permissions.add(new Permission("", "events", "", "create", namespace, "Events on registrations and Pods"));
    }
    if (scope.topology()) {
      for (String verb : List.of("list", "watch")) {
        permissions.add(new Permission("", "nodes", "", verb, Optional.empty(),
            "topology (REGISTRAR_TOPOLOGY) reads the zone of Nodes"));
      }
    }
    if (scope.readsNamespaces()) {
      for (String verb : List.of("get", "list", "watch")) {
        permissions.add(new Permission("", "namespaces", "", verb, Optional.empty(),
            "the name policy namespace-annotation reads Namespaces"));
      }
    }
    permissions.add(new Permission("", "namespaces", "", "get", Optional.empty(),
        "the cluster's ID (the UID of Namespace kube-system) that keeps one cluster name to one cluster", "kube-system"));
    scope.leaderElectionNamespace().ifPresent(namespace -> {
      for (String verb : List.of("get", "create", "update", "patch")) {
        permissions.add(new Permission("coordination.k8s.io", "leases", "", verb, Optional.of(namespace),
            "leader election (REGISTRAR_LEADER_ELECTION)"));
      }
    });
    return List.copyOf(permissions);
  }
}
