package dev.registrar.operator.store;

import dev.registrar.operator.model.Plan;
import dev.registrar.operator.model.StoredKey;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Where registrations live: keys, the claims on service names, and the leases that hold them.
 * The reconciler sees etcd only through this port: {@code EtcdRegistrationStore} in production,
 * an in-memory store with a test clock in the reconciler's unit tests.
 *
 * <p>Failures are {@link dev.registrar.operator.etcd.RegistryException}s; all are transient.
 */
public interface RegistrationStore {

  /**
   * What the store holds for one registration: the keys under its service path, the claim on its
   * name and the member keys of the clusters sharing it, and the keys bound to its leases anywhere
   * else (left behind by a serviceName change).
   * May lag behind somebody else's write; {@link #apply} finds out.
   */
  Map<String, StoredKey> observe(Scope scope);

  /** The same as {@link #observe}, read fresh: after a failed compare showed the view was behind. */
  Map<String, StoredKey> reread(Scope scope);

  /**
   * Writes the plan with every put bound to {@code leaseId}, all or nothing: every operation
   * compares the ModRevision it was planned from.
   *
   * @throws dev.registrar.operator.etcd.ConcurrentChangeException when a key was not as planned
   * @throws dev.registrar.operator.etcd.LeaseNotFoundException when the lease is gone
   */
  void apply(Plan plan, long leaseId);

  /** A new lease; not yet kept alive. */
  long grantLease(long ttlSeconds);

  /** The TTL the lease was granted with, if the store still has it. */
  OptionalLong grantedTtl(long leaseId);

  /** Revokes the lease, which deletes every key bound to it. A lease already gone is fine. */
  void revokeLease(long leaseId);

  /** Keeps the lease alive from now on; {@code onLost} runs (not on a store thread) if it is lost. */
  void keepAlive(long leaseId, long ttlSeconds, Runnable onLost);

  /** Stops keeping the lease alive. */
  void stopKeepingAlive(long leaseId);

  /** What this process knows of a lease it may keep alive. */
  KeepAlive keepAliveOf(long leaseId);

  /**
   * @param servicePath the registration's service path, ending in '/'
   * @param claimKey the claim on its service name
   * @param leases the registration's leases: keys bound to them are its own, wherever they are
   */
  record Scope(String servicePath, String claimKey, Set<Long> leases) {
    public Scope {
      leases = Set.copyOf(leases);
    }

    /** Where the member keys of the clusters sharing the name live. */
    public String membersPath() {
      return claimKey + "/";
    }
  }

  /**
   * @param state whether this process renews the lease, saw it lost, or does not keep it
   * @param ttlSeconds the TTL it keeps it with, -1 when it does not
   */
  record KeepAlive(State state, long ttlSeconds) {
    public static final KeepAlive NONE = new KeepAlive(State.UNKNOWN, -1);

    public enum State {
      /** Renewed by this process. */
      KEPT,
      /** The store said it is gone: a new lease is needed, once the store confirms it. */
      LOST,
      /** Not kept by this process: ask the store. */
      UNKNOWN
    }
  }
}
