package dev.registrar.operator.model;

import java.util.Arrays;

/**
 * A key as etcd holds it now.
 *
 * @param value the raw value
 * @param lease the lease it is bound to, 0 for none
 * @param modRevision the revision of its last write, for compare-and-swap
 */
public record StoredKey(byte[] value, long lease, long modRevision) {

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredKey other && Arrays.equals(value, other.value)
        && lease == other.lease && modRevision == other.modRevision;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(value) + Long.hashCode(lease) * 17 + Long.hashCode(modRevision);
  }

  @Override
  public String toString() {
    return "StoredKey[" + value.length + " bytes, lease=" + Long.toHexString(lease)
        + ", modRevision=" + modRevision + "]";
  }
}
