package dev.registrar.operator.etcd;

/** etcd did not answer, or answered with an error that a retry may clear. Transient. */
public class EtcdUnavailableException extends RuntimeException {

  public EtcdUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
