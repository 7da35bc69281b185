package dev.registrar.operator.etcd;

import dev.registrar.operator.model.Reasons;

/**
 * A key changed between the read and the write (another writer, a lease expiry): nothing of the
 * transaction was applied. Transient: the next attempt reads again.
 */
public final class ConcurrentChangeException extends RegistryException {

  public ConcurrentChangeException(String message) {
    super(message, null);
  }

  @Override
  public String reason() {
    return Reasons.SYNCING;
  }
}
