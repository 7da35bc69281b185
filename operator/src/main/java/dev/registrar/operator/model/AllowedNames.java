package dev.registrar.operator.model;

import dev.registrar.client.ServiceNames;
import java.util.ArrayList;
import java.util.List;

/**
 * The service names a Namespace's annotation {@value #ANNOTATION} grants: comma-separated exact
 * names ({@code payments}) and prefix globs ({@code payments-*}). An entry that is neither is
 * ignored and reported, so that one typo does not take every granted name away.
 *
 * @param exact names granted as they are
 * @param prefixes what a granted name may start with (the glob without its {@code *})
 * @param malformed entries that are neither, as written
 */
public record AllowedNames(List<String> exact, List<String> prefixes, List<String> malformed) {

  public static final String ANNOTATION = "registrar.dev/allowed-service-names";

  public AllowedNames {
    exact = List.copyOf(exact);
    prefixes = List.copyOf(prefixes);
    malformed = List.copyOf(malformed);
  }

  public static AllowedNames parse(String annotation) {
    List<String> exact = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    List<String> malformed = new ArrayList<>();
    for (String part : annotation == null ? new String[0] : annotation.split(",")) {
      String entry = part.strip();
      if (entry.isEmpty()) {
        continue; // "a, b," is a list of two
      }
      if (ServiceNames.isValid(entry)) {
        exact.add(entry);
      } else if (isGlob(entry)) {
        prefixes.add(entry.substring(0, entry.length() - 1));
      } else {
        malformed.add(entry);
      }
    }
    return new AllowedNames(exact, prefixes, malformed);
  }

  /** {@code team-*}: a DNS-label start, then one trailing {@code *}. A bare {@code *} is not one. */
  private static boolean isGlob(String entry) {
    if (entry.length() < 2 || !entry.endsWith("*")) {
      return false;
    }
    String prefix = entry.substring(0, entry.length() - 1);
    // "team-" is no label on its own (it ends in '-'), "team-x" is: check the prefix that way.
    return prefix.length() < ServiceNames.MAX_LENGTH && ServiceNames.isValid(prefix + "x");
  }

  public boolean isEmpty() {
    return exact.isEmpty() && prefixes.isEmpty();
  }

  public boolean allows(String serviceName) {
    return exact.contains(serviceName) || prefixes.stream()
        .anyMatch(prefix -> serviceName.length() > prefix.length() && serviceName.startsWith(prefix));
  }

  /** The grants as written, for messages: {@code payments, team-*}. */
  public String describe() {
    List<String> all = new ArrayList<>(exact);
    prefixes.forEach(prefix -> all.add(prefix + "*"));
    return String.join(", ", all);
  }
}
