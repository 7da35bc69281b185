package dev.registrar.operator.customresource;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The generation step's last part. fabric8's CRD generator sorts printer columns by JSON path
 * (AGE first, ENDPOINTS last); kubectl shows them in the CRD's order, and the convention is NAME
 * SERVICE READY ENDPOINTS AGE. So the columns are put in the order {@link ServiceRegistration}
 * declares its {@code @AdditionalPrinterColumn}s, and nothing else in the generated text changes.
 * {@code scripts/update-crds.sh} writes the result, and {@code CrdDriftTest} compares with it.
 */
final class CrdPrinterColumns {

  private static final Pattern NAME = Pattern.compile("^\\s+name: \"?([^\"]+)\"?$");

  private CrdPrinterColumns() {}

  /** The column names in the order the model declares them. */
  static List<String> declaredOrder() {
    return Arrays.stream(ServiceRegistration.class.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name).toList();
  }

  static String ordered(String crd) {
    List<String> lines = new ArrayList<>(Arrays.asList(crd.split("\n", -1)));
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals("- additionalPrinterColumns:")) {
        start = i + 1;
        break;
      }
    }
    if (start < 0) {
      throw new IllegalStateException("the generated CRD has no additionalPrinterColumns");
    }
    String itemIndent = lines.get(start).substring(0, lines.get(start).indexOf('-'));
    Map<String, List<String>> columns = new LinkedHashMap<>();
    int end = start;
    List<String> current = null;
    while (end < lines.size()) {
      String line = lines.get(end);
      if (line.startsWith(itemIndent + "- ")) {
        current = new ArrayList<>();
        columns.put("#" + columns.size(), current);
      } else if (!line.startsWith(itemIndent + "  ")) {
        break; // the version's next field
      }
      current.add(line);
      end++;
    }
    Map<String, List<String>> byName = new LinkedHashMap<>();
    for (List<String> column : columns.values()) {
      String name = column.stream().map(NAME::matcher).filter(Matcher::matches).map(m -> m.group(1))
          .findFirst().orElseThrow(() -> new IllegalStateException("a printer column without a name: " + column));
      byName.put(name, column);
    }
    List<String> order = declaredOrder();
    if (!byName.keySet().equals(new java.util.HashSet<>(order))) {
      throw new IllegalStateException("generated columns " + byName.keySet() + " are not the declared " + order);
    }
    List<String> reordered = new ArrayList<>(lines.subList(0, start));
    order.forEach(name -> reordered.addAll(byName.get(name)));
    reordered.addAll(lines.subList(end, lines.size()));
    return String.join("\n", reordered);
  }
}
