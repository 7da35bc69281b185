package dev.registrar.operator.etcd;

import java.util.concurrent.atomic.AtomicLong;

/** Plain counters of the faults the operator repaired; the metrics endpoint exposes them. */
public final class RegistryCounters {

  /** New leases granted because etcd no longer had the registration's lease. */
  public final AtomicLong leaseRegrants = new AtomicLong();

  /** Keepalive stream errors (not final: renewals resume when etcd comes back in time). */
  public final AtomicLong keepaliveErrors = new AtomicLong();

  /** Changes under the prefix not made by this operator that made a registration reconcile. */
  public final AtomicLong driftRepairs = new AtomicLong();

  /** Times the registry watch was rebuilt with a fresh read (compaction, watch errors). */
  public final AtomicLong watchResyncs = new AtomicLong();
}
