package dev.registrar.operator.reconciler;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What this process knows about one registration between reconciles. JOSDK never runs two
 * reconciles of one registration at once; the lease watchdog writes {@link #lostLease} from its
 * own thread, hence the atomics.
 */
final class RegistrationState {

  /** The registration's UID: a registration deleted and created again starts afresh. */
  final String uid;
  /** The lease this process chose for its keys, 0 before the first choice. */
  final AtomicLong lease = new AtomicLong();
  /** A lease etcd dropped, 0 when none, until a new lease holds the keys again. */
  final AtomicLong lostLease = new AtomicLong();
  /** Whether the loss of {@link #lostLease} was told (one Warning per loss). */
  volatile boolean lostAnnounced;
  /** The Ready=False reason last warned about, until Ready is True again. */
  volatile String warnedReason;
  /** Per Pod UID, the ignored overrides last warned about on that Pod (one Warning per change). */
  final java.util.Map<String, java.util.List<String>> warnedOverrides = new java.util.concurrent.ConcurrentHashMap<>();
  /** The values of its last reconcile, encoded: a change of one Pod encodes one value. */
  final dev.registrar.operator.model.MemoizedEncoder encoder = new dev.registrar.operator.model.MemoizedEncoder();
  /** Whether ClusterSetConsistent=False was warned about, until the ports agree again. */
  volatile boolean portsWarned;
  /** How many endpoints it held after its last write. */
  volatile int registered;

  RegistrationState(String uid) {
    this.uid = uid;
  }
}
