package dev.registrar.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.operator.model.RequiredPermissions;
import dev.registrar.operator.model.RequiredPermissions.Permission;
import dev.registrar.operator.model.RequiredPermissions.Scope;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The operator's start-up check asks for exactly docs/rbac.md's rows, each in the right scope. */
class RequiredPermissionsTest {

  private static final Scope EVERYTHING_ON = new Scope(Set.of(), true, true, true, Optional.of("registrar-system"));

  @Test
  void withEverySettingOnTheCheckAsksForEveryDocumentedRow() {
    assertThat(byPath(RequiredPermissions.of(EVERYTHING_ON))).isEqualTo(DocumentedRbac.permissions());
  }

  @Test
  void eachSettingTakesItsOwnRowsAway() {
    assertThat(byPath(RequiredPermissions.of(new Scope(Set.of(), false, true, true, Optional.of("r")))))
        .isEqualTo(DocumentedRbac.withoutReadinessGate());
    assertThat(byPath(RequiredPermissions.of(new Scope(Set.of(), true, false, true, Optional.of("r")))))
        .isEqualTo(DocumentedRbac.withoutTopology());
    assertThat(byPath(RequiredPermissions.of(new Scope(Set.of(), true, true, false, Optional.of("r")))))
        .isEqualTo(DocumentedRbac.withoutNamespaces());
    assertThat(byPath(RequiredPermissions.of(new Scope(Set.of(), true, true, true, Optional.empty()))))
        .isEqualTo(DocumentedRbac.withoutLeaderElection());
  }

  @Test
  void watchedNamespacesAreAskedOneByOneAndClusterScopedResourcesClusterWide() {
    List<Permission> permissions = RequiredPermissions.of(
        new Scope(Set.of("web", "shop"), true, true, true, Optional.of("registrar-system")));
    assertThat(permissions).filteredOn(p -> p.resource().equals("pods") && p.verb().equals("list"))
        .extracting(Permission::namespace).containsExactly(Optional.of("shop"), Optional.of("web"));
    assertThat(permissions).filteredOn(p -> p.resource().equals("nodes") || p.resource().equals("namespaces"))
        .allMatch(p -> p.namespace().isEmpty());
    assertThat(permissions).filteredOn(p -> p.resource().equals("leases"))
        .allMatch(p -> p.namespace().equals(Optional.of("registrar-system")));
    assertThat(permissions.get(0).describe())
        .isEqualTo("get registrar.dev/serviceregistrations in namespace shop");
  }

  private static Map<String, Set<String>> byPath(List<Permission> permissions) {
    Map<String, Set<String>> paths = new TreeMap<>();
    permissions.forEach(p -> paths.computeIfAbsent(p.path(), k -> new TreeSet<>()).add(p.verb()));
    return paths;
  }
}
