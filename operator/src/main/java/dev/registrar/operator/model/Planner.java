package dev.registrar.operator.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
    List<Plan.Put> puts = new ArrayList<>();
    for (Map.Entry<String, byte[]> entry : new TreeMap<>(desired).entrySet()) {
      StoredKey current = owned.get(entry.getKey());
      if (current == null) {
        puts.add(new Plan.Put(entry.getKey(), entry.getValue(), 0));
      } else if (!Arrays.equals(current.value(), entry.getValue()) || current.lease() != leaseId) {
        puts.add(new Plan.Put(entry.getKey(), entry.getValue(), current.modRevision()));
      }
    }
    List<Plan.Delete> deletes = new ArrayList<>();
    for (Map.Entry<String, StoredKey> entry : new TreeMap<>(owned).entrySet()) {
      if (!desired.containsKey(entry.getKey())) {
        deletes.add(new Plan.Delete(entry.getKey(), entry.getValue().modRevision()));
      }
    }
    return new Plan(puts, deletes);
  }
}
