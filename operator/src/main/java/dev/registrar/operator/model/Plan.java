package dev.registrar.operator.model;

import java.util.List;

/**
 * What to change in etcd, and what each change expects to find there, so that a write never
 * overwrites something it did not read.
 *
 * @param puts keys to write, under the registration's lease
 * @param deletes owned keys that are no longer desired
 */
public record Plan(List<Put> puts, List<Delete> deletes) {

  public Plan {
    puts = List.copyOf(puts);
    deletes = List.copyOf(deletes);
  }

  public boolean isEmpty() {
    return puts.isEmpty() && deletes.isEmpty();
  }

  /** The operations on keys that {@code keys} accepts, in the same order. */
  public Plan only(java.util.function.Predicate<String> keys) {
    return new Plan(puts.stream().filter(p -> keys.test(p.key())).toList(),
        deletes.stream().filter(d -> keys.test(d.key())).toList());
  }

  public int size() {
    return puts.size() + deletes.size();
  }

  /**
   * @param expectedModRevision the key's revision when read; 0 when it must not exist
   * @param leased whether the key is bound to the registration's lease: all are but the claim on
   *     a name shared across clusters, which belongs to the set, not to one cluster's lease
   */
  public record Put(String key, byte[] value, long expectedModRevision, boolean leased) {

    public Put(String key, byte[] value, long expectedModRevision) {
      this(key, value, expectedModRevision, true);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Put other && key.equals(other.key)
          && java.util.Arrays.equals(value, other.value)
          && expectedModRevision == other.expectedModRevision && leased == other.leased;
    }

    @Override
    public int hashCode() {
      return key.hashCode();
    }

    @Override
    public String toString() {
      return "Put[" + key + ", expectedModRevision=" + expectedModRevision + (leased ? "" : ", no lease") + "]";
    }
  }

  /** @param expectedModRevision the key's revision when read */
  public record Delete(String key, long expectedModRevision) {}
}
