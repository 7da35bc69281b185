package dev.registrar.client.internal;

import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.grpc.stub.StreamObserver;
import java.util.function.Consumer;

/**
 * Reads a jetcd keepalive stream the same way wherever a lease is kept. jetcd calls it on Vert.x
 * event-loop threads, so the callbacks must only record or hand over, never block.
 *
 * <ul>
 *   <li>a response: renewed;</li>
 *   <li>an error other than NOT_FOUND: jetcd retries by itself (renewals resume when etcd is
 *       back within the TTL), so it is not final;</li>
 *   <li>NOT_FOUND, or the stream completing (jetcd's deadline passed without a renewal): the
 *       keepalive has ended. Only NOT_FOUND is etcd's word that the lease is gone; after a
 *       completion, ask etcd (TimeToLive) before treating the lease as lost.</li>
 * </ul>
 */
public final class KeepAliveObserver implements StreamObserver<LeaseKeepAliveResponse> {

  private final Runnable renewed;
  private final Consumer<Throwable> retrying;
  private final Runnable ended;

  /**
   * @param renewed a renewal was answered
   * @param retrying a transient error; jetcd goes on trying
   * @param ended the keepalive ended: no more renewals for this lease
   */
  public KeepAliveObserver(Runnable renewed, Consumer<Throwable> retrying, Runnable ended) {
    this.renewed = renewed;
    this.retrying = retrying;
    this.ended = ended;
  }

  @Override
  public void onNext(LeaseKeepAliveResponse response) {
    renewed.run();
  }

  @Override
  public void onError(Throwable error) {
    if (EtcdErrors.isNotFound(error)) {
      ended.run();
    } else {
      retrying.accept(error);
    }
  }

  @Override
  public void onCompleted() {
    ended.run();
  }
}
