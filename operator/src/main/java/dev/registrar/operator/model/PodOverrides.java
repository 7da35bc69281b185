package dev.registrar.operator.model;

import dev.registrar.operator.customresource.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One Pod's own values, from its annotations, over the registration's: how one registration runs
 * a canary, as Nacos and Consul set weight and version per instance. A bad annotation is ignored
 * (the registration's value stands) and named in {@code ignored}; it never keeps the Pod out.
 *
 * @param version the version to publish
 * @param weight the weight to publish
 * @param metadata the metadata to publish: the registration's, with the Pod's merged over it
 * @param ignored one line per annotation that was ignored, naming it and the rule it breaks
 */
public record PodOverrides(String version, int weight, Map<String, String> metadata, List<String> ignored) {

  public static final String WEIGHT = "registrar.dev/weight";
  public static final String VERSION = "registrar.dev/version";
  /** {@code metadata.registrar.dev/<key>}: one metadata entry. */
  public static final String METADATA_PREFIX = "metadata.registrar.dev/";

  public PodOverrides {
    metadata = Map.copyOf(metadata);
    ignored = List.copyOf(ignored);
  }

  /** The registration's values, untouched: what a Pod with no (valid) override publishes. */
  public static PodOverrides none(String version, int weight, Map<String, String> metadata) {
    return new PodOverrides(version, weight, metadata == null ? Map.of() : withoutNulls(metadata), List.of());
  }

  /**
   * @param annotations the Pod's annotations, or null
   * @param version the registration's version, or null
   * @param weight the registration's weight
   * @param metadata the registration's metadata, or null
   */
  public static PodOverrides of(Map<String, String> annotations, String version, int weight,
      Map<String, String> metadata) {
    return of(annotations, none(version, weight, metadata));
  }

  /**
   * @param annotations the Pod's annotations, or null
   * @param base the registration's values ({@link #none}), made once for all its Pods
   * @return {@code base} itself when the Pod carries no override
   */
  public static PodOverrides of(Map<String, String> annotations, PodOverrides base) {
    if (!present(annotations)) {
      return base;
    }
    List<String> ignored = new ArrayList<>();
    String effectiveVersion = base.version();
    int effectiveWeight = base.weight();
    String weightText = annotations.get(WEIGHT);
    if (weightText != null) {
      Integer parsed = parseWeight(weightText);
      if (parsed == null) {
        ignored.add(WEIGHT + "='" + abbreviate(weightText) + "' ignored: it must be a whole number from "
            + Limits.MIN_WEIGHT + " to " + Limits.MAX_WEIGHT);
      } else {
        effectiveWeight = parsed;
      }
    }
    String versionText = annotations.get(VERSION);
    if (versionText != null) {
      if (versionText.isEmpty() || versionText.length() > Limits.MAX_VERSION) {
        ignored.add(VERSION + " ignored: it must be 1 to " + Limits.MAX_VERSION + " characters, not "
            + versionText.length());
      } else {
        effectiveVersion = versionText;
      }
    }
    Map<String, String> merged = new TreeMap<>(base.metadata());
    Map<String, String> own = new TreeMap<>();
    annotations.forEach((key, value) -> {
      if (key.startsWith(METADATA_PREFIX)) {
        own.put(key.substring(METADATA_PREFIX.length()), value == null ? "" : value);
      }
    });
    for (Map.Entry<String, String> entry : own.entrySet()) {
      String annotation = METADATA_PREFIX + entry.getKey();
      if (entry.getKey().isEmpty() || entry.getKey().length() > Limits.MAX_METADATA_KEY_LENGTH) {
        ignored.add(annotation + " ignored: the key must be 1 to " + Limits.MAX_METADATA_KEY_LENGTH + " characters");
      } else if (entry.getValue().length() > Limits.MAX_METADATA_VALUE_LENGTH) {
        ignored.add(annotation + " ignored: the value is " + entry.getValue().length() + " characters, more than "
            + Limits.MAX_METADATA_VALUE_LENGTH);
      } else {
        merged.put(entry.getKey(), entry.getValue());
      }
    }
    if (merged.size() > Limits.MAX_METADATA_ENTRIES) {
      // Which entries to keep would be a guess: keep the registration's metadata whole.
      ignored.add(METADATA_PREFIX + "* ignored: merged over spec.metadata they make " + merged.size()
          + " entries, more than the " + Limits.MAX_METADATA_ENTRIES + " allowed");
      merged = new TreeMap<>(base.metadata());
    }
    return new PodOverrides(effectiveVersion, effectiveWeight, merged, ignored);
  }

  /** The same values, with {@code note} as the only thing ignored. */
  public PodOverrides ignoring(String note) {
    return new PodOverrides(version, weight, metadata, List.of(note));
  }

  /** Whether the Pod carries any annotation this class reads. */
  public static boolean present(Map<String, String> annotations) {
    return annotations != null && annotations.keySet().stream()
        .anyMatch(k -> k.equals(WEIGHT) || k.equals(VERSION) || k.startsWith(METADATA_PREFIX));
  }

  /** Digits only, within range: "+5", " 5" and "5.0" are not weights. */
  private static Integer parseWeight(String text) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    int value = Integer.parseInt(text);
    return value < Limits.MIN_WEIGHT || value > Limits.MAX_WEIGHT ? null : value;
  }

  private static Map<String, String> withoutNulls(Map<String, String> metadata) {
    Map<String, String> copy = new TreeMap<>();
    metadata.forEach((k, v) -> copy.put(k, v == null ? "" : v));
    return copy;
  }

  private static String abbreviate(String text) {
    return text.length() <= 20 ? text : text.substring(0, 20) + "...";
  }
}
