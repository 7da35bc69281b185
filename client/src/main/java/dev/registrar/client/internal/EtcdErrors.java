package dev.registrar.client.internal;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;

/** How jetcd reports errors: as its own EtcdException or as a raw gRPC status, depending on the call. */
public final class EtcdErrors {

  private EtcdErrors() {}

  /** etcd said the thing (a lease) does not exist: "etcdserver: requested lease not found". */
  public static boolean isNotFound(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND) {
        return true;
      }
    }
    return Status.fromThrowable(error).getCode() == Status.Code.NOT_FOUND;
  }

  /** etcd refused the call: the user's role does not grant the key. */
  public static boolean isPermissionDenied(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (Status.fromThrowable(t).getCode() == Status.Code.PERMISSION_DENIED) {
        return true;
      }
    }
    return false;
  }

  /** No answer in time, or no connection: what an etcd that is down, frozen or cut off looks like. */
  public static boolean isConnectionProblem(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException || t instanceof InterruptedException
          || t instanceof java.net.ConnectException || t instanceof java.nio.channels.ClosedChannelException) {
        return true;
      }
      Status.Code code = Status.fromThrowable(t).getCode();
      if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.CANCELLED) {
        return true;
      }
    }
    return false;
  }
}
