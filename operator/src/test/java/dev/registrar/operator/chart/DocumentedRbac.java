package dev.registrar.operator.chart;

import dev.registrar.operator.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The permission table of docs/rbac.md, as "group/resource" → verbs, so the chart can be held to it. */
final class DocumentedRbac {

  // | `registrar.dev` | `serviceregistrations` | get, list, watch | why |
  // | `""` (core) | `namespaces` (only `kube-system`) | get | why |  (RBAC's resourceNames)
  private static final Pattern ROW = Pattern.compile(
      "^\\|\\s*`([^`]*)`[^|]*\\|\\s*`([^`]+)`(?:\\s*\\(only `([^`]+)`\\))?\\s*\\|\\s*([a-z, ]+?)\\s*\\|.*$");

  /** Granted on one object only: "group/resource:name". */
  static final String CLUSTER_ID = "/namespaces:kube-system";

  static final Set<String> LEADER_ELECTION_ONLY = Set.of("coordination.k8s.io/leases");

  /** Granted only with the name policy namespace-annotation (the chart's default). */
  static final Set<String> NAME_POLICY_ONLY = Set.of("/namespaces");

  /** Granted only with the readiness gate on (the default): pods get, pods/status patch. */
  static final String POD_STATUS = "/pods/status";

  /** Granted only with topology on (the default), always by a ClusterRole. */
  static final String NODES = "/nodes";

  private DocumentedRbac() {}

  /** The table without the readiness gate's rows. */
  static Map<String, Set<String>> withoutReadinessGate() {
    Map<String, Set<String>> permissions = permissions();
    permissions.remove(POD_STATUS);
    permissions.get("/pods").remove("get");
    return permissions;
  }

  /** The table without the Node row. */
  static Map<String, Set<String>> withoutTopology() {
    Map<String, Set<String>> permissions = permissions();
    permissions.remove(NODES);
    return permissions;
  }

  static Map<String, Set<String>> permissions() {
    Map<String, Set<String>> permissions = new TreeMap<>();
    try {
      for (String line : Files.readAllLines(RepoPaths.repositoryRoot().resolve("docs/rbac.md"))) {
        Matcher row = ROW.matcher(line);
        if (row.matches()) {
          String group = row.group(1).replace("\"", "");
          String name = row.group(3) == null ? "" : ":" + row.group(3);
          permissions.computeIfAbsent(group + "/" + row.group(2) + name, k -> new TreeSet<>())
              .addAll(Arrays.stream(row.group(4).split(",")).map(String::strip).toList());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (permissions.isEmpty()) {
      throw new AssertionError("docs/rbac.md has no permission table");
    }
    return permissions;
  }

  /** The table without the leader-election rows: what a single replica needs. */
  static Map<String, Set<String>> withoutLeaderElection() {
    Map<String, Set<String>> permissions = permissions();
    permissions.keySet().removeAll(LEADER_ELECTION_ONLY);
    return permissions;
  }

  /** The table without the name-policy rows: what the policies any and namespace-prefix need. */
  static Map<String, Set<String>> withoutNamespaces() {
    Map<String, Set<String>> permissions = permissions();
    permissions.keySet().removeAll(NAME_POLICY_ONLY);
    return permissions;
  }

  /** What a Role in each watched namespace grants: neither leader election nor Namespaces nor Nodes. */
  static Map<String, Set<String>> perWatchedNamespace() {
    Map<String, Set<String>> permissions = withoutLeaderElection();
    permissions.keySet().removeAll(NAME_POLICY_ONLY);
    permissions.remove(NODES);
    permissions.remove(CLUSTER_ID);
    return permissions;
  }
}
