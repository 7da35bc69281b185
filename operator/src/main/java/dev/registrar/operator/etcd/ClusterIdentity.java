package dev.registrar.operator.etcd;

import dev.registrar.client.ServiceClaims;
import dev.registrar.operator.model.ClusterNameRecord;
import dev.registrar.operator.model.Plan;
import dev.registrar.operator.model.StoredKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds this cluster's name in the registry ({@link ClusterNameRecord}): written on a lease of its
 * own when free, looked at again every {@link #CHECK}. While another cluster holds the name,
 * {@link #refusal()} says why, and no registration writes. etcd being away changes nothing here:
 * the last verdict stands, and outages are {@link EtcdHealth}'s to report.
 */
public final class ClusterIdentity implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterIdentity.class);
  /** The record's lease: a cluster name whose operator died is free again this long after. */
  public static final long TTL_SECONDS = 15;
  public static final Duration CHECK = Duration.ofSeconds(5);

  private final EtcdRegistry etcd;
  private final RegistryView view;
  private final LeaseKeeper keeper;
  private final String cluster;
  private final String clusterId;
  private final String holder;
  private final ScheduledExecutorService executor;
  private final Consumer<Optional<String>> onChange;
  private volatile Optional<String> refusal = Optional.empty();
  private volatile boolean started;
  private long lease;

  /**
   * @param view the watch-fed view of the claims: once loaded, a check costs no etcd call
   * @param clusterId the kube-system Namespace's UID
   * @param holder who writes the record (the pod's name)
   * @param executor a thread of its own: the checks block on etcd
   * @param onChange told of each change of {@link #refusal()}
   */
  public ClusterIdentity(EtcdRegistry etcd, RegistryView view, LeaseKeeper keeper, String cluster, String clusterId,
      String holder, ScheduledExecutorService executor, Consumer<Optional<String>> onChange) {
    this.etcd = etcd;
    this.view = view;
    this.keeper = keeper;
    this.cluster = cluster;
    this.clusterId = clusterId;
    this.holder = holder;
    this.executor = executor;
    this.onChange = onChange;
  }

  /**
   * Checks now, before the controller starts, so that its first reconciles know (they read
   * {@link #refusal()}); then every {@link #CHECK}, telling {@code onChange} of each change.
   */
  public void start() {
    check();
    started = true;
    executor.scheduleWithFixedDelay(this::check, CHECK.toMillis(), CHECK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Why this operator must write nothing to the registry, while another cluster holds its name. */
  public Optional<String> refusal() {
    return refusal;
  }

  synchronized void check() {
    String key = ClusterNameRecord.key(cluster);
    try {
      // The watch keeps the view of /registrar/claims/ current: the steady state reads nothing.
      Optional<StoredKey> record = view.covers(ServiceClaims.PREFIX) ? view.get(key)
          : Optional.ofNullable(etcd.readKeys(List.of(key)).get(key));
      Optional<byte[]> stored = record.map(StoredKey::value);
      ClusterNameRecord.Verdict verdict = ClusterNameRecord.judge(stored, cluster, clusterId);
      if (verdict instanceof ClusterNameRecord.Verdict.Free) {
        take(key);
        become(Optional.empty());
      } else if (verdict instanceof ClusterNameRecord.Verdict.Taken taken) {
        become(Optional.of(taken.message()));
      } else {
        become(Optional.empty());
      }
    } catch (ConcurrentChangeException e) {
      // Another process wrote it first: the next check says whose it is.
    } catch (RegistryException e) {
      LOG.debug("cannot check the cluster name record {}: {}", key, e.getMessage());
    }
  }

  private void take(String key) {
    if (lease == 0 || keeper.state(lease) != LeaseKeeper.State.KEPT) {
      lease = etcd.grantLease(TTL_SECONDS);
      keeper.keep(lease, TTL_SECONDS, () -> { }); // a lost lease shows as a free name at the next check
    }
    byte[] value = new ClusterNameRecord(cluster, clusterId, holder).encode();
    etcd.apply(new Plan(List.of(new Plan.Put(key, value, 0)), List.of()), lease);
    LOG.info("cluster name '{}' held in the registry for kube-system UID {} ({})", cluster, clusterId, key);
  }

  private void become(Optional<String> next) {
    if (!next.equals(refusal)) {
      refusal = next;
      if (next.isPresent()) {
        LOG.warn("writing nothing to the registry: {}", next.get());
      } else {
        LOG.info("cluster name '{}' is this cluster's: registrations write again", cluster);
      }
      if (started) {
        onChange.accept(next);
      }
    }
  }

  /** Lets the name go, so that the cluster's next operator (or another cluster) need not wait for the TTL. */
  @Override
  public synchronized void close() {
    executor.shutdownNow();
    if (lease != 0) {
      keeper.release(lease);
      try {
        etcd.revokeLease(lease);
      } catch (RegistryException e) {
        LOG.debug("cluster name record left to its TTL: {}", e.getMessage());
      }
    }
  }
}
