package dev.registrar.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Sends Events from a thread of its own, so that a reconcile never waits for the API server to
 * take an Event: the status patch, and the next registration's keys, come first.
 */
public final class AsyncEventSink implements EventSink {

  private final EventSink target;
  private final Executor executor;

  /** @param executor one thread, so that Events keep their order */
  public AsyncEventSink(EventSink target, Executor executor) {
    this.target = target;
    this.executor = executor;
  }

  @Override
  public void normal(HasMetadata resource, String reason, String message) {
    send(() -> target.normal(resource, reason, message));
  }

  @Override
  public void warning(HasMetadata resource, String reason, String message) {
    send(() -> target.warning(resource, reason, message));
  }

  private void send(Runnable event) {
    try {
      executor.execute(event);
    } catch (RejectedExecutionException e) {
      event.run(); // stopping: late rather than lost
    }
  }
}
