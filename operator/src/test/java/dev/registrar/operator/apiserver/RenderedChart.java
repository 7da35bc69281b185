package dev.registrar.operator.apiserver;

import static org.awaitility.Awaitility.await;

import dev.registrar.operator.RepoPaths;
import dev.registrar.operator.testing.Manifests;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The chart as the real {@code helm template} renders it, and its identity (ServiceAccount, Roles,
 * bindings) applied to a real API server, so that the shipped jar can run as that identity.
 */
record RenderedChart(String release, String namespace, List<HasMetadata> objects) {

  static final Path CHART = RepoPaths.repositoryRoot().resolve("helm/registrar");

  /** {@code helm template <release> helm/registrar -n <namespace> --set ...}. */
  static RenderedChart render(RealKubeApiServer api, String release, String namespace, String... sets) {
    List<String> args = new ArrayList<>(List.of("template", release, CHART.toString(), "-n", namespace,
        "--kube-version", api.controlPlane().kubernetesVersion()));
    for (String set : sets) {
      args.add("--set");
      args.add(set);
    }
    String yaml = api.helm(args.toArray(String[]::new)).ok().out();
    return new RenderedChart(release, namespace, Manifests.parse(yaml));
  }

  ServiceAccount serviceAccount() {
    return Manifests.ofType(objects, ServiceAccount.class).get(0);
  }

  /** "system:serviceaccount:<namespace>:<name>", as the audit log and RBAC name it. */
  String username() {
    return "system:serviceaccount:" + namespace + ":" + serviceAccount().getMetadata().getName();
  }

  /** Every verb on every resource of every Role and ClusterRole, each one a grant that can be taken away. */
  List<Grant> grants() {
    List<Grant> grants = new ArrayList<>();
    for (HasMetadata role : roles()) {
      for (PolicyRule rule : rules(role)) {
        for (String group : rule.getApiGroups()) {
          for (String resource : rule.getResources()) {
            List<String> names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                ? List.of("") : rule.getResourceNames();
            for (String verb : rule.getVerbs()) {
              for (String name : names) {
                grants.add(new Grant(sourceOf(role), group, resource, verb,
                    Optional.ofNullable(role.getMetadata().getNamespace()), name));
              }
            }
          }
        }
      }
    }
    return grants;
  }

  /**
   * One verb on one resource, granted by one Role or ClusterRole.
   *
   * @param name the one object it is granted on (resourceNames), or "" for any
   */
  record Grant(String source, String group, String resource, String verb, Optional<String> namespace, String name) {

    /** Whether {@code other} grants the same, and more: the same verb on any object of the resource. */
    boolean coveredBy(Grant other) {
      return !name.isEmpty() && other.name().isEmpty() && other.group().equals(group)
          && other.resource().equals(resource) && other.verb().equals(verb) && other.namespace().equals(namespace);
    }

    /** "group/resource[/subresource]", the form of docs/rbac.md and the audit log. */
    String permission() {
      return group + "/" + resource;
    }

    @Override
    public String toString() {
      return verb + " " + (group.isEmpty() ? "" : group + "/") + resource + (name.isEmpty() ? "" : " " + name)
          + " from " + source;
    }
  }

  /** The operator container's environment, plain values only (the chart sets no others for these values). */
  Map<String, String> env() {
    return plainEnv(Manifests.ofType(objects, Deployment.class).get(0));
  }

  /** A Deployment's first container's environment variables that have a plain value. */
  static Map<String, String> plainEnv(Deployment deployment) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if (var.getValue() != null) {
        env.put(var.getName(), var.getValue());
      }
    }
    return env;
  }

  /**
   * Creates the ServiceAccount, Roles, ClusterRoles and their bindings, without {@code removed},
   * and waits until the API server's authorizer grants each remaining verb to the ServiceAccount.
   */
  void applyIdentity(RealKubeApiServer api, Optional<Grant> removed) {
    api.namespace(namespace);
    for (HasMetadata role : roles()) {
      HasMetadata copy = Serialization.clone(role);
      removed.filter(grant -> grant.source().equals(sourceOf(role)))
          .ifPresent(grant -> setRules(copy, without(rules(copy), grant)));
      if (copy.getMetadata().getNamespace() != null) {
        api.namespace(copy.getMetadata().getNamespace());
      }
      api.client().resource(copy).serverSideApply();
    }
    Stream.of(ServiceAccount.class, RoleBinding.class, ClusterRoleBinding.class)
        .flatMap(type -> Manifests.ofType(objects, type).stream())
        .forEach(object -> {
          if (!(object instanceof ClusterRoleBinding) && object.getMetadata().getNamespace() == null) {
            object.getMetadata().setNamespace(namespace);
          }
          api.client().resource(object).serverSideApply();
        });
    // RBAC reaches the authorizer through its own informer: wait, so that a start-up check of the
    // operator never meets a grant that is there but not yet seen.
    List<Grant> expected = grants().stream().filter(g -> removed.map(r -> !r.equals(g)).orElse(true)).toList();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> expected.stream().allMatch(grant -> allowed(api, grant)));
    removed.ifPresent(grant -> await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> !allowed(api, grant)));
  }

  private boolean allowed(RealKubeApiServer api, Grant grant) {
    String[] resource = grant.resource().split("/", 2);
    SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec().withUser(username())
        .withGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated")
        .withNewResourceAttributes().withGroup(grant.group()).withResource(resource[0])
        .withSubresource(resource.length > 1 ? resource[1] : null).withVerb(grant.verb())
        .withNamespace(grant.namespace().orElse(null)).withName(grant.name().isEmpty() ? null : grant.name())
        .endResourceAttributes().endSpec().build();
    return api.client().authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed();
  }

  /** "ClusterRole name" or "Role namespace/name". */
  private static String sourceOf(HasMetadata role) {
    return role.getKind() + " " + Optional.ofNullable(role.getMetadata().getNamespace()).map(n -> n + "/").orElse("")
        + role.getMetadata().getName();
  }

  private List<HasMetadata> roles() {
    List<HasMetadata> roles = new ArrayList<>(Manifests.ofType(objects, ClusterRole.class));
    roles.addAll(Manifests.ofType(objects, Role.class));
    return roles;
  }

  private static List<PolicyRule> rules(HasMetadata role) {
    return role instanceof Role r ? r.getRules() : ((ClusterRole) role).getRules();
  }

  private static void setRules(HasMetadata role, List<PolicyRule> rules) {
    if (role instanceof Role r) {
      r.setRules(rules);
    } else {
      ((ClusterRole) role).setRules(rules);
    }
  }

  /** The rules with one verb on one resource taken out (a rule is split where it must be). */
  private static List<PolicyRule> without(List<PolicyRule> rules, Grant grant) {
    List<PolicyRule> result = new ArrayList<>();
    for (PolicyRule rule : rules) {
      if (!rule.getApiGroups().contains(grant.group()) || !rule.getResources().contains(grant.resource())
          || !rule.getVerbs().contains(grant.verb())) {
        result.add(rule);
        continue;
      }
      List<String> otherResources = rule.getResources().stream().filter(r -> !r.equals(grant.resource())).toList();
      if (!otherResources.isEmpty()) {
        PolicyRule others = Serialization.clone(rule);
        others.setResources(otherResources);
        result.add(others);
      }
      List<String> otherVerbs = rule.getVerbs().stream().filter(v -> !v.equals(grant.verb())).toList();
      if (!otherVerbs.isEmpty()) {
        PolicyRule rest = Serialization.clone(rule);
        rest.setResources(List.of(grant.resource()));
        rest.setVerbs(otherVerbs);
        result.add(rest);
      }
    }
    return result;
  }
}
