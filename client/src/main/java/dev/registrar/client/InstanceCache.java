package dev.registrar.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The local view of the registry: key to instance, changed only by newer revisions. Pure and
 * single-threaded (its owner serializes calls); every method returns the changes it made, so that
 * listeners hear exactly what changed and nothing else.
 */
final class InstanceCache {

  /** A change to report. {@code before} or {@code after} is null for an addition or a removal. */
  record Change(ServiceInstance before, ServiceInstance after) {}

  private final Map<String, ServiceInstance> instances = new TreeMap<>();
  // The same instances by service, so that one service is read without scanning the others.
  private final Map<String, Map<String, ServiceInstance>> byService = new java.util.HashMap<>();
  private final Set<String> touched = new HashSet<>();

  /**
   * A write seen on the watch. {@code instance} null means the key now holds no valid instance
   * (deleted, or a malformed value). Ignored unless newer than what the cache holds.
   */
  List<Change> apply(String key, ServiceInstance instance, long revision) {
    ServiceInstance before = instances.get(key);
    if (before != null && revision <= before.modRevision()) {
      return List.of(); // not newer: a replay or out-of-order delivery
    }
    if (instance == null) {
      if (before == null) {
        return List.of();
      }
      remove(key, before);
      return List.of(new Change(before, null));
    }
    put(key, instance);
    if (before != null && before.value().equals(instance.value())) {
      return List.of(); // rewritten with the same value: nothing a consumer would notice
    }
    return List.of(new Change(before, instance));
  }

  /** A full read: becomes the new view; returns only the real differences. */
  List<Change> replaceAll(Collection<ServiceInstance> snapshot) {
    Map<String, ServiceInstance> fresh = new TreeMap<>();
    snapshot.forEach(i -> fresh.put(i.key().asString(), i));
    List<Change> changes = new ArrayList<>();
    Set<String> keys = new HashSet<>(instances.keySet());
    keys.addAll(fresh.keySet());
    for (String key : new java.util.TreeSet<>(keys)) {
      ServiceInstance before = instances.get(key);
      ServiceInstance after = fresh.get(key);
      if (before == null || after == null || !Objects.equals(before.value(), after.value())) {
        changes.add(new Change(before, after));
      }
    }
    touched.addAll(byService.keySet());
    instances.clear();
    byService.clear();
    fresh.forEach(this::put);
    return changes;
  }

  private void put(String key, ServiceInstance instance) {
    instances.put(key, instance);
    byService.computeIfAbsent(instance.serviceName(), s -> new TreeMap<>()).put(key, instance);
    touched.add(instance.serviceName());
  }

  private void remove(String key, ServiceInstance instance) {
    instances.remove(key);
    Map<String, ServiceInstance> service = byService.get(instance.serviceName());
    service.remove(key);
    if (service.isEmpty()) {
      byService.remove(instance.serviceName());
    }
    touched.add(instance.serviceName());
  }

  /** The services written since the last call (changed or not), whose views must be rebuilt. */
  Set<String> drainTouched() {
    Set<String> services = Set.copyOf(touched);
    touched.clear();
    return services;
  }

  /** Every instance of {@code serviceName}, sorted by key. */
  List<ServiceInstance> instances(String serviceName) {
    Map<String, ServiceInstance> service = byService.get(serviceName);
    return service == null ? List.of() : List.copyOf(service.values());
  }

  List<ServiceInstance> all() {
    return List.copyOf(instances.values());
  }
}
