package dev.registrar.operator.etcd;

import dev.registrar.operator.model.Reasons;

/** etcd no longer knows the lease: it expired or was revoked. */
public final class LeaseNotFoundException extends EtcdUnavailableException {

  private final long leaseId;

  public LeaseNotFoundException(long leaseId, Throwable cause) {
    super("lease " + Long.toHexString(leaseId) + " not found in etcd", cause);
    this.leaseId = leaseId;
  }

  @Override
  public String reason() {
    return Reasons.LEASE_LOST;
  }

  public long leaseId() {
    return leaseId;
  }
}
