package dev.registrar.operator.etcd;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;

/** How jetcd reports errors: as its own EtcdException or as a raw gRPC status, depending on the call. */
final class EtcdErrors {

  private EtcdErrors() {}

  /** etcd said the thing (a lease) does not exist: "etcdserver: requested lease not found". */
  static boolean isNotFound(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND) {
        return true;
      }
    }
    return Status.fromThrowable(error).getCode() == Status.Code.NOT_FOUND;
  }
}
