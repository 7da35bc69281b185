package dev.registrar.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The operator's packages depend on each other in one direction only: no cycles. */
class PackageCyclesTest {

  static final Path SOURCES = Path.of("src/main/java/dev/registrar/operator");
  static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?dev\\.registrar\\.operator\\.([a-z]+)\\.");

  static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path relative = SOURCES.relativize(file);
        String from = relative.getNameCount() == 1 ? "(root)" : relative.getName(0).toString();
        Set<String> to = graph.computeIfAbsent(from, k -> new TreeSet<>());
        Matcher imported = IMPORT.matcher(Files.readString(file));
        while (imported.find()) {
          if (!imported.group(1).equals(from)) {
            to.add(imported.group(1));
          }
        }
      }
    }
    return graph;
  }

  @Test
  void noPackageDependsOnItselfThroughOthers() throws IOException {
    Map<String, Set<String>> graph = dependencies();
    assertThat(graph).containsKeys("etcd", "metrics", "model", "reconciler");
    List<String> cycles = new ArrayList<>();
    for (String start : graph.keySet()) {
      find(graph, start, start, new ArrayList<>(List.of(start)), cycles);
    }
    assertThat(cycles).as("package cycles in %s", graph).isEmpty();
  }

  private static void find(Map<String, Set<String>> graph, String start, String at, List<String> path,
      List<String> cycles) {
    for (String next : graph.getOrDefault(at, Set.of())) {
      if (next.equals(start)) {
        cycles.add(String.join(" -> ", path) + " -> " + start);
      } else if (!path.contains(next)) {
        path.add(next);
        find(graph, start, next, path, cycles);
        path.remove(path.size() - 1);
      }
    }
  }
}
