package dev.registrar.operator.etcd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.LongConsumer;

/**
 * The etcd revisions of this process's own transactions and revocations, so that the registry
 * watch can tell our writes from somebody else's. Bounded: only recent revisions matter.
 *
 * <p>The watch can report a write before the call that made it has returned and recorded its
 * revision. So a revision seen while one of our writes is in flight is judged only once no write
 * is in flight any more: otherwise our own write would count as drift and cost a reconcile.
 */
public final class OwnWrites {

  private static final int KEEP = 100_000;

  private final ConcurrentSkipListSet<Long> revisions = new ConcurrentSkipListSet<>();
  // Guarded by this.
  private int inFlight;
  private final List<Pending> pending = new ArrayList<>();

  private record Pending(long revision, LongConsumer ifForeign) {}

  /** A write is about to be sent. Every call is followed by one {@link #finished}. */
  synchronized void started() {
    inFlight++;
  }

  /** The write sent last by this thread is done: {@code revision} if etcd answered, else 0. */
  void finished(long revision) {
    if (revision != 0) {
      revisions.add(revision);
      if (revisions.size() > KEEP) {
        revisions.headSet(revision - KEEP).clear();
      }
    }
    List<Pending> decided;
    synchronized (this) {
      inFlight--;
      if (inFlight > 0 || pending.isEmpty()) {
        return;
      }
      decided = new ArrayList<>(pending);
      pending.clear();
    }
    decided.stream().filter(p -> !revisions.contains(p.revision())).forEach(p -> p.ifForeign().accept(p.revision()));
  }

  /**
   * Calls {@code ifForeign} with {@code revision} if it is not one of ours: at once when no write
   * of ours is in flight, else when the last one in flight has finished.
   */
  public void ifForeign(long revision, LongConsumer ifForeign) {
    if (revisions.contains(revision)) {
      return;
    }
    synchronized (this) {
      if (inFlight > 0) {
        pending.add(new Pending(revision, ifForeign));
        return;
      }
    }
    if (!revisions.contains(revision)) {
      ifForeign.accept(revision);
    }
  }

  public boolean contains(long revision) {
    return revisions.contains(revision);
  }
}
