package dev.registrar.operator.etcd;

/** etcd no longer knows the lease: it expired or was revoked. */
public class LeaseNotFoundException extends EtcdUnavailableException {

  private final long leaseId;

  public LeaseNotFoundException(long leaseId, Throwable cause) {
    super("lease " + Long.toHexString(leaseId) + " not found in etcd", cause);
    this.leaseId = leaseId;
  }

  public long leaseId() {
    return leaseId;
  }
}
