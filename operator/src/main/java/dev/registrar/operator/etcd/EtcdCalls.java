package dev.registrar.operator.etcd;

/**
 * Told how long each etcd call took. The metrics implement it, so that this package does not
 * depend on the metrics package (which reads this package's counters).
 */
@FunctionalInterface
public interface EtcdCalls {

  /** The kinds of etcd call the operator makes. */
  enum Operation { GET, GET_PREFIX, TXN, LEASE_GRANT, LEASE_REVOKE, LEASE_TIME_TO_LIVE }

  void completed(Operation operation, long nanos);
}
