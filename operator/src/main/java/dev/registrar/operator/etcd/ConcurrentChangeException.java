package dev.registrar.operator.etcd;

/**
 * A key changed between the read and the write (another writer, a lease expiry): nothing of the
 * transaction was applied. Transient: the next reconcile reads again.
 */
public class ConcurrentChangeException extends RuntimeException {

  public ConcurrentChangeException(String message) {
    super(message);
  }
}
