package dev.registrar.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every registration's {@link RegistrationState}, and the indexes that route an outside change
 * to the registration it concerns: its Pods, its leases, the service name it is kept out of.
 * Forgetting a registration is one call.
 */
public final class RegistrationStates {

  private final Map<ResourceID, RegistrationState> states = new ConcurrentHashMap<>();
  private final PodMembership membership = new PodMembership();
  private final Map<Long, ResourceID> leaseHolders = new ConcurrentHashMap<>();
  // Service name to the registration that cannot register some keys there because another owner
  // holds them: a change of those keys must reach it, though their values name someone else.
  private final Map<String, ResourceID> blockedByHeldKeys = new ConcurrentHashMap<>();

  /** The registration's state, new when it has none or its UID changed. */
  RegistrationState of(HasMetadata registration) {
    String uid = registration.getMetadata().getUid();
    return states.compute(ResourceID.fromResource(registration),
        (id, state) -> state != null && state.uid.equals(uid) ? state : new RegistrationState(uid));
  }

  Optional<RegistrationState> find(ResourceID registration) {
    return Optional.ofNullable(states.get(registration));
  }

  /** The Pods the registration matched at its last reconcile. */
  Set<ResourceID> matchedPods(ResourceID registration) {
    return membership.podsOf(registration);
  }

  /** The Pods the registration matched at its last reconcile. */
  void matched(ResourceID registration, Set<ResourceID> pods) {
    membership.update(registration, pods);
  }

  Set<ResourceID> registrationsOf(ResourceID pod) {
    return membership.registrationsOf(pod);
  }

  void holds(long lease, ResourceID registration) {
    leaseHolders.put(lease, registration);
  }

  void released(long lease) {
    leaseHolders.remove(lease);
  }

  Optional<ResourceID> holderOf(long lease) {
    return Optional.ofNullable(leaseHolders.get(lease));
  }

  void blocked(String serviceName, ResourceID registration, boolean blocked) {
    if (blocked) {
      blockedByHeldKeys.put(serviceName, registration);
    } else {
      blockedByHeldKeys.remove(serviceName, registration);
    }
  }

  Optional<ResourceID> blockedOn(String serviceName) {
    return Optional.ofNullable(blockedByHeldKeys.get(serviceName));
  }

  /** The registration is gone: forget all of it. */
  void clear(ResourceID registration) {
    states.remove(registration);
    clearKeys(registration);
  }

  /** The registration holds no keys any more (its name was refused): forget its leases and Pods. */
  void clearKeys(ResourceID registration) {
    find(registration).ifPresent(state -> {
      state.lease.set(0);
      state.lostLease.set(0);
      state.lostAnnounced = false;
      state.registered = 0;
    });
    membership.remove(registration);
    leaseHolders.values().removeIf(registration::equals);
    blockedByHeldKeys.values().removeIf(registration::equals);
  }
}
