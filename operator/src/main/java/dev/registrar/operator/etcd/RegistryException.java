package dev.registrar.operator.etcd;

/**
 * Every way a call to etcd can fail, each with the Ready reason it reports. All are transient:
 * the reconcile throws, JOSDK retries with backoff, and the status names the reason meanwhile.
 */
public abstract sealed class RegistryException extends RuntimeException
    permits EtcdUnavailableException, ConcurrentChangeException {

  RegistryException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The CamelCase reason of the Ready condition while this error lasts. */
  public abstract String reason();
}
