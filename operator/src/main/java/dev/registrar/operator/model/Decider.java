package dev.registrar.operator.model;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.ServiceClaims;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The pure heart of a reconcile: from what should be (desired) and what the store holds
 * (observed) to a {@link Decision}. external-dns's {@code plan.Calculate}, plus the claim on the
 * service name and the keys that belong to somebody else.
 */
public final class Decider {

  private Decider() {}

  /**
   * Who the registration is and where it writes.
   *
   * @param owner the owner its values name
   * @param serviceName its effective service name
   * @param claimKey the claim on that name
   */
  public record Target(EndpointValue.Owner owner, String serviceName, String claimKey) {
    public static Target of(EndpointValue.Owner owner, String serviceName) {
      return new Target(owner, serviceName, ServiceClaims.key(serviceName));
    }
  }

  /**
   * The claim on the name, if somebody else holds it. A claim on one of the registration's own
   * leases is its own whatever its value says; otherwise the value must name the registration.
   */
  public static Optional<Decision.Conflict> conflict(Target target, Map<String, StoredKey> observed,
      Set<Long> ownLeases) {
    StoredKey claim = observed.get(target.claimKey());
    if (claim == null || (claim.lease() != 0 && ownLeases.contains(claim.lease()))) {
      return Optional.empty();
    }
    Optional<EndpointValue.Owner> holder = Ownership.ownerOf(target.claimKey(), claim);
    if (holder.filter(target.owner()::equals).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(new Decision.Conflict(target.serviceName(), target.claimKey(), holder));
  }

  /**
   * @param desired the keys the registration's ready Pods call for
   * @param observed what the store holds in the registration's scope
   * @param ownLeases the registration's leases: keys bound to them are its own
   * @param leaseId the lease every key must be bound to (one of {@code ownLeases})
   */
  public static Decision decide(DesiredState desired, Target target, Map<String, StoredKey> observed,
      Set<Long> ownLeases, long leaseId) {
    Optional<Decision.Conflict> conflict = conflict(target, observed, ownLeases);
    if (conflict.isPresent()) {
      return conflict.get();
    }
    Ownership ownership = Ownership.of(observed, target.owner(), ownLeases);
    // Keys another owner holds are never touched; the claim is desired too.
    Map<String, byte[]> wanted = new TreeMap<>(desired.encoded());
    wanted.keySet().removeAll(ownership.foreign().keySet());
    int registered = wanted.size();
    wanted.put(target.claimKey(), EndpointCodec.encodeOwner(target.owner()));
    Plan plan = Planner.calculate(wanted, ownership.owned(), leaseId);

    Map<String, String> heldElsewhere = new TreeMap<>();
    Set<String> othersUnderPath = new TreeSet<>();
    ownership.foreign().forEach((key, value) -> {
      if (desired.endpoints().containsKey(key)) {
        heldElsewhere.put(key, Ownership.holderOf(key, value));
      } else if (!ServiceClaims.isClaimKey(key)) {
        othersUnderPath.add(key);
      }
    });
    Decision.Tally tally = Decision.Tally.of(registered, heldElsewhere, othersUnderPath);
    return plan.isEmpty() ? new Decision.Noop(tally) : new Decision.Write(plan, tally);
  }
}
