package dev.registrar.operator.etcd;

import java.util.List;

/**
 * A live lease as etcd reports it.
 *
 * @param id the lease ID
 * @param grantedTtl the TTL it was granted with, in seconds
 * @param remainingTtl seconds left before it expires without renewal
 * @param keys the keys bound to it, when asked for
 */
public record LeaseInfo(long id, long grantedTtl, long remainingTtl, List<String> keys) {

  public LeaseInfo {
    keys = List.copyOf(keys);
  }
}
