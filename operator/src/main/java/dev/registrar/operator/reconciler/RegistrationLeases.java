package dev.registrar.operator.reconciler;

import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.store.RegistrationStore;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One lease per registration: reused while it lives, adopted from {@code status.leaseId} after a
 * restart when the store still has it, granted when there is none, and replaced when the TTL
 * changes.
 */
final class RegistrationLeases {

  /**
   * @param id the lease every key must be bound to now
   * @param replaced the registration's previous lease, to revoke once the keys moved off it
   */
  record Choice(long id, Optional<Long> replaced) {
    /** The leases whose keys are the registration's own. */
    Set<Long> ids() {
      return replaced.map(old -> Set.of(id, old)).orElse(Set.of(id));
    }
  }

  private final RegistrationStore store;
  private final RegistrationStates states;
  private final BiConsumer<ResourceID, Long> onLost;

  /** @param onLost told which registration's lease the store no longer has */
  RegistrationLeases(RegistrationStore store, RegistrationStates states, BiConsumer<ResourceID, Long> onLost) {
    this.store = store;
    this.states = states;
    this.onLost = onLost;
  }

  private Choice keep(ServiceRegistration registration, RegistrationState state, long id, long ttl,
      Optional<Long> replaced) {
    ResourceID owner = ResourceID.fromResource(registration);
    states.holds(id, owner);
    store.keepAlive(id, ttl, () -> onLost.accept(owner, id));
    state.lease.set(id);
    return new Choice(id, replaced);
  }

  Choice choose(ServiceRegistration registration, RegistrationState state) {
    long ttl = registration.getSpec().effectiveLeaseTTLSeconds();
    Optional<Long> replaced = Optional.empty();
    Optional<Long> candidate = current(registration, state);
    if (candidate.isPresent()) {
      long id = candidate.get();
      RegistrationStore.KeepAlive kept = store.keepAliveOf(id);
      if (kept.state() == RegistrationStore.KeepAlive.State.KEPT && kept.ttlSeconds() == ttl) {
        return new Choice(id, Optional.empty());
      }
      if (kept.state() == RegistrationStore.KeepAlive.State.KEPT) {
        replaced = Optional.of(id);
      } else {
        // Not kept here (a restart), or its keepalive ended: jetcd ends one that got no answer in
        // time even when etcd still has the lease (a short outage). Ask before giving up on it.
        store.stopKeepingAlive(id);
        OptionalLong alive = store.grantedTtl(id);
        if (alive.isPresent() && alive.getAsLong() == ttl) {
          return keep(registration, state, id, ttl, Optional.empty());
        }
        if (alive.isPresent()) {
          replaced = Optional.of(id);
        }
      }
    }
    return keep(registration, state, store.grantLease(ttl), ttl, replaced);
  }

  /** The registration's lease as this process or its status knows it. */
  Optional<Long> current(ServiceRegistration registration, RegistrationState state) {
    long known = state.lease.get();
    return known != 0 ? Optional.of(known) : parse(statusLease(registration));
  }

  /** Every lease the registration may have keys on: this process's and its status's. */
  Set<Long> all(ServiceRegistration registration, RegistrationState state) {
    Set<Long> ids = new LinkedHashSet<>();
    if (state.lease.get() != 0) {
      ids.add(state.lease.get());
    }
    parse(statusLease(registration)).ifPresent(ids::add);
    return ids;
  }

  /** The lease was revoked, replaced or lost: stop renewing it. */
  void release(RegistrationState state, long id) {
    store.stopKeepingAlive(id);
    states.released(id);
    state.lease.compareAndSet(id, 0);
  }

  private static String statusLease(ServiceRegistration registration) {
    return registration.getStatus() == null ? null : registration.getStatus().getLeaseId();
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
