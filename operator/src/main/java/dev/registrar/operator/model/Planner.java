package dev.registrar.operator.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The pure diff between what etcd holds for a registration and what it should hold. */
public final class Planner {

  private Planner() {}

  /**
   * @param desired key to encoded value
   * @param owned the registration's own keys as etcd holds them now (never another owner's)
   * @param leaseId the lease every key must be bound to
   */
  public static Plan calculate(Map<String, byte[]> desired, Map<String, StoredKey> owned, long leaseId) {
    return calculate(desired, Map.of(), owned, leaseId, Set.of());
  }

  /**
   * @param unleased keys to hold on no lease (the claim on a name shared across clusters)
   * @param rewritten keys written even when they already hold their value: a cluster joining a
   *     shared name rewrites its claim, so that a release or a takeover racing it fails its compare
   */
  public static Plan calculate(Map<String, byte[]> desired, Map<String, byte[]> unleased,
      Map<String, StoredKey> owned, long leaseId, Set<String> rewritten) {
    List<Plan.Put> puts = new ArrayList<>();
    Map<String, byte[]> all = new TreeMap<>(desired);
    all.putAll(unleased);
    for (Map.Entry<String, byte[]> entry : all.entrySet()) {
      boolean leased = !unleased.containsKey(entry.getKey());
      long lease = leased ? leaseId : 0;
      StoredKey current = owned.get(entry.getKey());
      if (current == null) {
        puts.add(new Plan.Put(entry.getKey(), entry.getValue(), 0, leased));
      } else if (!Arrays.equals(current.value(), entry.getValue()) || current.lease() != lease
          || rewritten.contains(entry.getKey())) {
        puts.add(new Plan.Put(entry.getKey(), entry.getValue(), current.modRevision(), leased));
      }
    }
    List<Plan.Delete> deletes = new ArrayList<>();
    for (Map.Entry<String, StoredKey> entry : new TreeMap<>(owned).entrySet()) {
      if (!all.containsKey(entry.getKey())) {
        deletes.add(new Plan.Delete(entry.getKey(), entry.getValue().modRevision()));
      }
    }
    return new Plan(puts, deletes);
  }
}
