package dev.registrar.operator.model;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.ServiceClaims;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The pure heart of a reconcile: from what should be (desired) and what the store holds
 * (observed) to a {@link Decision}. external-dns's {@code plan.Calculate}, plus the claim on the
 * service name and the keys that belong to somebody else.
 *
 * <p>A name shared across clusters (KEP-1645's namespace sameness) has a claim on no lease, which
 * belongs to the set of registrations of one namespace and name, and one member key per cluster
 * on that cluster's lease. A cluster joining the set rewrites the claim (same value), so that a
 * release or a takeover racing it fails its compare; a claim whose set has no member left (every
 * cluster gone) is free for anyone to take.
 */
public final class Decider {

  private Decider() {}

  /**
   * Who the registration is and where it writes.
   *
   * @param owner the owner its values name
   * @param serviceName its effective service name
   * @param claimKey the claim on that name
   * @param shared whether it shares the name with the same namespace and name in other clusters
   * @param ports its ports as a member key lists them ("name=port"), for a shared name
   */
  public record Target(EndpointValue.Owner owner, String serviceName, String claimKey, boolean shared,
      List<String> ports) {

    public Target {
      ports = List.copyOf(ports);
    }

    /** An Exclusive registration. */
    public static Target of(EndpointValue.Owner owner, String serviceName) {
      return new Target(owner, serviceName, ServiceClaims.key(serviceName), false, List.of());
    }

    /** A registration sharing its name across clusters. */
    public static Target shared(EndpointValue.Owner owner, String serviceName, List<String> ports) {
      return new Target(owner, serviceName, ServiceClaims.key(serviceName), true, ports);
    }

    String memberKey() {
      return ServiceClaims.memberKey(serviceName, owner.cluster());
    }
  }

  /**
   * The claim on the name, if somebody else holds it. A claim on one of the registration's own
   * leases is its own whatever its value says; otherwise the value must name the registration, or,
   * for a shared name, its namespace and name.
   */
  public static Optional<Decision.Conflict> conflict(Target target, Map<String, StoredKey> observed,
      Set<Long> ownLeases) {
    StoredKey claim = observed.get(target.claimKey());
    if (claim != null && claim.lease() != 0 && ownLeases.contains(claim.lease())) {
      return Optional.empty(); // the steady state of an Exclusive name: nothing else to look at
    }
    SortedMap<String, SharedClaim> members = otherMembers(target, observed);
    if (claim == null) {
      // Members without a claim: a set mid-release, or a claim deleted by hand. Another set's
      // members keep the name theirs; this set's members let it found the claim again.
      return members.values().stream()
          .filter(m -> !(target.shared() && m.sameSetAs(target.owner())))
          .findFirst()
          .map(m -> sharedConflict(target, m.owner(), members, m.sameSetAs(target.owner())
              ? "set spec.clusterSet: Shared to register this cluster's endpoints under it too" : ""));
    }
    Optional<SharedClaim> held = SharedClaim.decode(claim.value());
    if (held.isEmpty()) {
      return Optional.of(new Decision.Conflict(target.serviceName(), target.claimKey(), Optional.empty()));
    }
    SharedClaim holder = held.get();
    if (holder.owner().equals(target.owner())) {
      if (!target.shared() && holder.shared() && !members.isEmpty()) {
        return Optional.of(sharedConflict(target, holder.owner(), members, "it can be Exclusive to this "
            + "registration only once the other clusters stop sharing it (or set spec.clusterSet: Shared again)"));
      }
      return Optional.empty();
    }
    if (holder.shared() && holder.sameSetAs(target.owner())) {
      return target.shared() ? Optional.empty() : Optional.of(sharedConflict(target, holder.owner(), members,
          "set spec.clusterSet: Shared to register this cluster's endpoints under it too"));
    }
    if (holder.shared() && members.isEmpty() && !observed.containsKey(target.memberKey())) {
      return Optional.empty(); // every cluster of the set is gone: the name is free
    }
    if (holder.shared()) {
      return Optional.of(sharedConflict(target, holder.owner(), members, ""));
    }
    return Optional.of(new Decision.Conflict(target.serviceName(), target.claimKey(), Optional.of(holder.owner())));
  }

  private static Decision.Conflict sharedConflict(Target target, EndpointValue.Owner holder,
      SortedMap<String, SharedClaim> members, String advice) {
    List<String> clusters = List.copyOf(members.keySet());
    return new Decision.Conflict(target.serviceName(), target.claimKey(), Optional.of(holder),
        clusters.isEmpty() ? List.of(holder.cluster()) : clusters, advice);
  }

  /** The member keys of other clusters under the name, by cluster; unreadable ones left out. */
  private static SortedMap<String, SharedClaim> otherMembers(Target target, Map<String, StoredKey> observed) {
    SortedMap<String, SharedClaim> members = new TreeMap<>();
    String prefix = ServiceClaims.membersPrefix(target.serviceName());
    observed.forEach((key, stored) -> {
      if (key.startsWith(prefix)) {
        ServiceClaims.clusterOfMember(key)
            .filter(cluster -> !cluster.equals(target.owner().cluster()))
            .ifPresent(cluster -> SharedClaim.decode(stored.value()).ifPresent(m -> members.put(cluster, m)));
      }
    });
    return members;
  }

  /**
   * What is left to delete once a registration's leases are revoked: keys whose value names it on
   * another lease or none, and the claim. A shared name's claim goes only with the set's last
   * member: while another cluster still shares the name, it stays.
   *
   * @param stored the service path, the claim and its member keys, read after the revocation
   */
  public static Plan withdrawal(Map<String, StoredKey> stored, EndpointValue.Owner owner, String serviceName) {
    String claimKey = ServiceClaims.key(serviceName);
    Map<String, StoredKey> owned = new TreeMap<>(Ownership.of(stored, owner, Set.of()).owned());
    StoredKey claim = stored.get(claimKey);
    Optional<SharedClaim> held = claim == null ? Optional.empty() : SharedClaim.decode(claim.value());
    if (held.filter(SharedClaim::shared).isPresent()) {
      owned.remove(claimKey);
      Target target = Target.shared(owner, serviceName, List.of());
      if (held.get().sameSetAs(owner) && otherMembers(target, stored).isEmpty()) {
        owned.put(claimKey, claim);
      }
    }
    return Planner.calculate(Map.of(), owned, 0);
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
    Map<String, byte[]> unleased = new TreeMap<>();
    Map<String, StoredKey> planned = new TreeMap<>(ownership.owned());
    Set<String> rewritten = new TreeSet<>();
    StoredKey claim = observed.get(target.claimKey());
    // A claim planned from another owner's value is one this registration may write: a free
    // shared claim it takes, or its set's claim it joins. Its compare keeps racers out.
    if (claim != null) {
      planned.put(target.claimKey(), claim);
    }
    if (target.shared()) {
      Optional<SharedClaim> held = claim == null ? Optional.empty() : SharedClaim.decode(claim.value());
      boolean ofTheSet = held.filter(h -> h.shared() && h.sameSetAs(target.owner())).isPresent()
          && !ownership.owned().containsKey(target.claimKey());
      // The set's claim stays as the first cluster wrote it; otherwise this registration founds it.
      unleased.put(target.claimKey(), ofTheSet ? claim.value()
          : SharedClaim.of(target.owner(), List.of()).encode());
      wanted.put(target.memberKey(), SharedClaim.of(target.owner(), target.ports()).encode());
      if (claim != null && !ownership.owned().containsKey(target.memberKey())) {
        rewritten.add(target.claimKey());
      }
    } else {
      wanted.put(target.claimKey(), EndpointCodec.encodeOwner(target.owner()));
    }
    Plan plan = Planner.calculate(wanted, unleased, planned, leaseId, rewritten);

    SortedMap<String, String> heldElsewhere = new TreeMap<>();
    TreeSet<String> othersUnderPath = new TreeSet<>();
    SortedMap<String, Integer> otherClusters = new TreeMap<>();
    ownership.foreign().forEach((key, value) -> {
      if (desired.endpoints().containsKey(key)) {
        heldElsewhere.put(key, Ownership.holderOf(key, value));
      } else if (ServiceClaims.isClaimKey(key) || ServiceClaims.isMemberKey(key)) {
        return;
      } else {
        // An endpoint of this set in another cluster is counted, not listed as somebody else's.
        Optional<EndpointValue.Owner> peer = target.shared() ? Ownership.ownerOf(key, value)
            .filter(o -> o.cluster() != null && !o.cluster().equals(target.owner().cluster())
                && target.owner().namespace().equals(o.namespace()) && target.owner().name().equals(o.name()))
            : Optional.empty();
        if (peer.isPresent()) {
          otherClusters.merge(peer.get().cluster(), 1, Integer::sum);
        } else {
          othersUnderPath.add(key);
        }
      }
    });
    SortedMap<String, java.util.List<String>> otherPorts = new TreeMap<>();
    if (target.shared()) {
      otherMembers(target, observed).forEach((cluster, member) -> {
        if (member.sameSetAs(target.owner())) {
          otherClusters.putIfAbsent(cluster, 0);
          if (!member.ports().equals(SharedClaim.of(target.owner(), target.ports()).ports())) {
            otherPorts.put(cluster, member.ports());
          }
        }
      });
    }
    Decision.Tally tally = new Decision.Tally(registered, heldElsewhere, othersUnderPath, otherClusters, otherPorts);
    return plan.isEmpty() ? new Decision.Noop(tally) : new Decision.Write(plan, tally);
  }
}
