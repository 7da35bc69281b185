package dev.registrar.operator.reconciler;

import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.etcd.EtcdRegistry;
import dev.registrar.operator.etcd.LeaseInfo;
import dev.registrar.operator.etcd.LeaseKeeper;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * One lease per registration: reused while it lives, adopted from {@code status.leaseId} after a
 * restart when etcd still has it, granted when there is none, and replaced when the TTL changes.
 */
final class RegistrationLeases {

  /**
   * @param id the lease every key must be bound to now
   * @param replaced the registration's previous lease, to revoke once the keys moved off it
   * @param fresh granted or adopted by this reconcile: its bound keys have not been looked at yet
   */
  record Choice(long id, Optional<Long> replaced, boolean fresh) {}

  private final EtcdRegistry etcd;
  private final LeaseKeeper keeper;
  private final BiConsumer<ResourceID, Long> onLost;
  // Registration UID to lease, so that a retry after a failed status patch reuses the lease.
  private final Map<String, Long> assigned = new ConcurrentHashMap<>();
  // Lease to registration, so that a change to a key on a lease reaches the lease's registration.
  private final Map<Long, ResourceID> holders = new ConcurrentHashMap<>();

  /** @param onLost told which registration's lease etcd no longer has */
  RegistrationLeases(EtcdRegistry etcd, LeaseKeeper keeper, BiConsumer<ResourceID, Long> onLost) {
    this.etcd = etcd;
    this.keeper = keeper;
    this.onLost = onLost;
  }

  private void keep(ServiceRegistration registration, long id, long ttl) {
    ResourceID owner = ResourceID.fromResource(registration);
    holders.put(id, owner);
    keeper.keep(id, ttl, () -> onLost.accept(owner, id));
  }

  /** The registration whose lease this is, if this process keeps it. */
  Optional<ResourceID> holderOf(long leaseId) {
    return Optional.ofNullable(holders.get(leaseId));
  }

  Choice choose(ServiceRegistration registration) {
    long ttl = registration.getSpec().effectiveLeaseTTLSeconds();
    String uid = registration.getMetadata().getUid();
    Optional<Long> replaced = Optional.empty();
    Optional<Long> candidate = current(registration);
    if (candidate.isPresent()) {
      long id = candidate.get();
      switch (keeper.state(id)) {
        case KEPT -> {
          if (keeper.ttl(id) == ttl) {
            return new Choice(id, Optional.empty(), false);
          }
          replaced = Optional.of(id);
        }
        case LOST -> {
          // jetcd ends a keepalive that got no answer in time, even when etcd still has the
          // lease (a short outage right after the grant): ask etcd before giving up on it.
          keeper.release(id);
          Optional<LeaseInfo> alive = etcd.lease(id, false);
          if (alive.isPresent() && alive.get().grantedTtl() == ttl) {
            keep(registration, id, ttl);
            assigned.put(uid, id);
            return new Choice(id, Optional.empty(), true);
          }
        }
        case UNKNOWN -> {
          Optional<LeaseInfo> alive = etcd.lease(id, false);
          if (alive.isPresent() && alive.get().grantedTtl() == ttl) {
            keep(registration, id, ttl);
            assigned.put(uid, id);
            return new Choice(id, Optional.empty(), true);
          }
          if (alive.isPresent()) {
            replaced = Optional.of(id);
          }
        }
        default -> throw new IllegalStateException();
      }
    }
    long id = etcd.grantLease(ttl);
    keep(registration, id, ttl);
    assigned.put(uid, id);
    return new Choice(id, replaced, true);
  }

  /** The registration's lease as this process or its status knows it. */
  Optional<Long> current(ServiceRegistration registration) {
    Long known = assigned.get(registration.getMetadata().getUid());
    if (known != null) {
      return Optional.of(known);
    }
    return parse(registration.getStatus() == null ? null : registration.getStatus().getLeaseId());
  }

  /** Every lease the registration may have keys on: this process's and its status's. */
  Set<Long> all(ServiceRegistration registration) {
    Set<Long> ids = new LinkedHashSet<>();
    Optional.ofNullable(assigned.get(registration.getMetadata().getUid())).ifPresent(ids::add);
    parse(registration.getStatus() == null ? null : registration.getStatus().getLeaseId()).ifPresent(ids::add);
    return ids;
  }

  /** The lease was revoked, replaced or lost: stop renewing it. */
  void release(String uid, long id) {
    keeper.release(id);
    holders.remove(id);
    assigned.remove(uid, id);
  }

  /** The registration is gone. */
  void forget(String uid) {
    Long id = assigned.remove(uid);
    if (id != null) {
      keeper.release(id);
      holders.remove(id);
    }
  }

  static String hex(long id) {
    return Long.toHexString(id);
  }

  static Optional<Long> parse(String hex) {
    if (hex == null || hex.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseUnsignedLong(hex, 16));
    } catch (NumberFormatException e) {
      return Optional.empty(); // a hand-edited status: treat as no lease
    }
  }
}
