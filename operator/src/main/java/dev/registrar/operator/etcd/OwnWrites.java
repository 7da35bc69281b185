package dev.registrar.operator.etcd;

import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The etcd revisions of this process's own transactions and revocations, so that the registry
 * watch can tell our writes from somebody else's. Bounded: only recent revisions matter.
 */
public final class OwnWrites {

  private static final int KEEP = 100_000;

  private final ConcurrentSkipListSet<Long> revisions = new ConcurrentSkipListSet<>();

  void record(long revision) {
    revisions.add(revision);
    if (revisions.size() > KEEP) {
      revisions.headSet(revision - KEEP).clear();
    }
  }

  public boolean contains(long revision) {
    return revisions.contains(revision);
  }
}
