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
 * Splits what etcd holds (a service path, a claim) into the registration's own keys and everybody
 * else's. Only own keys are ever changed or deleted.
 *
 * <p>A key bound to one of the registration's leases is the registration's, whatever its value
 * says: revoking the lease would delete it anyway. Any other key is the registration's only when
 * its value names the registration as owner, so a key another process keeps on its own lease
 * (the seed article's plain {@code {"version","weight"}}) is never touched.
 *
 * @param owned keys on one of the registration's leases, or whose value names it as owner
 * @param foreign keys of another owner, of no owner, or not decodable, on another lease or none
 */
public record Ownership(Map<String, StoredKey> owned, Map<String, StoredKey> foreign) {

  public Ownership {
    owned = new TreeMap<>(owned);
    foreign = new TreeMap<>(foreign);
  }

  /**
   * @param ownLeases the registration's leases (0, "no lease", is never one of them)
   */
  public static Ownership of(Map<String, StoredKey> stored, EndpointValue.Owner owner, Set<Long> ownLeases) {
    Map<String, StoredKey> owned = new TreeMap<>();
    Map<String, StoredKey> foreign = new TreeMap<>();
    stored.forEach((key, value) -> {
      boolean onOwnLease = value.lease() != 0 && ownLeases.contains(value.lease());
      if (onOwnLease || ownerOf(key, value).filter(owner::equals).isPresent()) {
        owned.put(key, value);
      } else {
        foreign.put(key, value);
      }
    });
    return new Ownership(owned, foreign);
  }

  /** The keys of others. */
  public Set<String> foreignKeys() {
    return new TreeSet<>(foreign.keySet());
  }

  /** The owner a key names: a claim's (or member's) value is its owner, an endpoint's value has one. */
  public static Optional<EndpointValue.Owner> ownerOf(String key, StoredKey stored) {
    try {
      if (ServiceClaims.isClaimKey(key) || ServiceClaims.isMemberKey(key)) {
        return Optional.of(EndpointCodec.decodeOwner(stored.value()));
      }
      return Optional.ofNullable(EndpointCodec.decode(stored.value()).owner());
    } catch (EndpointCodec.MalformedValueException e) {
      return Optional.empty();
    }
  }

  /** Who holds a key, in words for a condition message. */
  public static String holderOf(String key, StoredKey stored) {
    String lease = stored.lease() == 0 ? "no lease" : "lease " + Long.toHexString(stored.lease());
    Optional<EndpointValue.Owner> owner = ownerOf(key, stored);
    if (owner.isPresent()) {
      EndpointValue.Owner o = owner.get();
      return "registration " + o.namespace() + "/" + o.name() + " of cluster '" + o.cluster() + "' (" + lease + ")";
    }
    try {
      if (!ServiceClaims.isClaimKey(key) && !ServiceClaims.isMemberKey(key)) {
        EndpointCodec.decode(stored.value());
        return "a process outside Registrar, value without an owner (" + lease + ")";
      }
    } catch (EndpointCodec.MalformedValueException e) {
      // falls through
    }
    return "a value Registrar cannot read (" + lease + ")";
  }
}
