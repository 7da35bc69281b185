package dev.registrar.operator.etcd;

import dev.registrar.client.internal.EtcdErrors;
import dev.registrar.operator.model.Reasons;

/** etcd did not answer, or answered with an error that a retry may clear. Transient. */
public sealed class EtcdUnavailableException extends RegistryException
    permits LeaseNotFoundException, PermissionDeniedException {

  public EtcdUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String reason() {
    return Reasons.ETCD_UNAVAILABLE;
  }

  /**
   * Whether etcd could not be reached (no answer in time, no connection), as opposed to an
   * answer that refused the call (credentials, permissions).
   */
  public boolean isConnectionProblem() {
    return EtcdErrors.isConnectionProblem(getCause());
  }
}
