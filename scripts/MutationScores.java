import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The mutation score per package, from the PIT reports that {@code ./mvnw -Pmutation test} leaves
 * in each module's target/pit-reports/mutations.xml, with every surviving mutant listed. Exits 1
 * when a package scores below the goal (90 %, or the first argument).
 *
 * <pre>java scripts/MutationScores.java [goal-percent]</pre>
 */
public class MutationScores {

  record Tally(int[] counts, List<String> survivors) {
    Tally() {
      this(new int[3], new ArrayList<>()); // generated, killed, not covered
    }
  }

  public static void main(String[] args) throws Exception {
    double goal = args.length > 0 ? Double.parseDouble(args[0]) : 90;
    Map<String, Tally> packages = new TreeMap<>();
    List<Path> reports;
    try (Stream<Path> modules = Files.list(Path.of("."))) {
      reports = modules.map(m -> m.resolve("target/pit-reports/mutations.xml")).filter(Files::isRegularFile).sorted().toList();
    }
    if (reports.isEmpty()) {
      System.err.println("no target/pit-reports/mutations.xml: run ./mvnw -B -Pmutation test -pl operator,client,client-grpc -am first");
      System.exit(2);
    }
    for (Path report : reports) {
      NodeList mutations = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile())
          .getElementsByTagName("mutation");
      for (int i = 0; i < mutations.getLength(); i++) {
        Element mutation = (Element) mutations.item(i);
        String type = text(mutation, "mutatedClass");
        String pkg = type.substring(0, type.lastIndexOf('.'));
        Tally tally = packages.computeIfAbsent(pkg, p -> new Tally());
        tally.counts()[0]++;
        String status = mutation.getAttribute("status");
        if ("true".equals(mutation.getAttribute("detected"))) {
          tally.counts()[1]++;
        } else {
          if ("NO_COVERAGE".equals(status)) {
            tally.counts()[2]++;
          }
          tally.survivors().add(String.format("  %-11s %s.%s:%s  %s", status, type.substring(pkg.length() + 1),
              text(mutation, "mutatedMethod"), text(mutation, "lineNumber"), text(mutation, "description")));
        }
      }
    }
    boolean met = true;
    System.out.printf("%-36s %9s %7s %9s %7s%n", "package", "mutants", "killed", "uncovered", "score");
    for (var entry : packages.entrySet()) {
      int[] c = entry.getValue().counts();
      double score = 100.0 * c[1] / c[0];
      met &= score >= goal;
      System.out.printf("%-36s %9d %7d %9d %6.1f%%%s%n", entry.getKey(), c[0], c[1], c[2], score,
          score >= goal ? "" : "  below " + goal + " %");
    }
    for (var entry : packages.entrySet()) {
      if (!entry.getValue().survivors().isEmpty()) {
        System.out.println();
        System.out.println("survivors in " + entry.getKey() + ":");
        entry.getValue().survivors().forEach(System.out::println);
      }
    }
    System.exit(met ? 0 : 1);
  }

  private static String text(Element parent, String tag) {
    return parent.getElementsByTagName(tag).item(0).getTextContent();
  }
}
