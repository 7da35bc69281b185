package dev.registrar.operator.etcd;

import dev.registrar.operator.model.Reasons;

/**
 * etcd refused the call: the operator's role does not cover the key. Retried, because an
 * administrator fixes roles without restarting anything, but reported under its own reason.
 */
public final class PermissionDeniedException extends EtcdUnavailableException {

  public PermissionDeniedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String reason() {
    return Reasons.ETCD_PERMISSION_DENIED;
  }
}
