package dev.registrar.operator.etcd;

import dev.registrar.client.internal.EtcdErrors;

/** etcd did not answer, or answered with an error that a retry may clear. Transient. */
public class EtcdUnavailableException extends RuntimeException {

  public EtcdUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether etcd could not be reached (no answer in time, no connection), as opposed to an
   * answer that refused the call (credentials, permissions).
   */
  public boolean isConnectionProblem() {
    return EtcdErrors.isConnectionProblem(getCause());
  }
}
