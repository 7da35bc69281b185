package dev.registrar.operator.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What etcd should hold for one registration.
 *
 * @param endpoints the desired keys, sorted
 * @param matchedPodNames Pods the selector matches, registrable or not
 * @param skipped why matching, registrable Pods (or ports) got no key: human-readable notes
 * @param registrablePodNames matching Pods that are to be registered (ready, or published not ready)
 * @param ignoredOverrides per Pod name, the annotations of it that were ignored and why
 */
public record DesiredState(SortedMap<String, DesiredEndpoint> endpoints,
    SortedSet<String> matchedPodNames, List<String> skipped, SortedSet<String> registrablePodNames,
    SortedMap<String, List<String>> ignoredOverrides) {

  public DesiredState {
    endpoints = Collections.unmodifiableSortedMap(new TreeMap<>(endpoints));
    matchedPodNames = Collections.unmodifiableSortedSet(new TreeSet<>(matchedPodNames));
    skipped = List.copyOf(skipped);
    registrablePodNames = Collections.unmodifiableSortedSet(new TreeSet<>(registrablePodNames));
    ignoredOverrides = Collections.unmodifiableSortedMap(new TreeMap<>(ignoredOverrides));
  }

  /** Without the Pod-level detail: tests of what does not depend on it. */
  public DesiredState(SortedMap<String, DesiredEndpoint> endpoints, SortedSet<String> matchedPodNames,
      List<String> skipped) {
    this(endpoints, matchedPodNames, skipped, new TreeSet<>(), new TreeMap<>());
  }

  /** How many Pods the selector matches. */
  public int matchedPods() {
    return matchedPodNames.size();
  }

  /** Key to encoded value, the form the planner compares. */
  public Map<String, byte[]> encoded() {
    return endpoints.entrySet().stream().collect(Collectors.toMap(
        Map.Entry::getKey, e -> e.getValue().encoded(), (a, b) -> a, TreeMap::new));
  }
}
