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
 * @param owned keys whose value names this registration as owner
 * @param foreign keys of another owner, written by hand, or not decodable
 */
public record Ownership(Map<String, StoredKey> owned, Set<String> foreign) {

  public Ownership {
    owned = new TreeMap<>(owned);
    foreign = new TreeSet<>(foreign);
  }

  public static Ownership of(Map<String, StoredKey> stored, EndpointValue.Owner owner) {
    Map<String, StoredKey> owned = new TreeMap<>();
    Set<String> foreign = new TreeSet<>();
    stored.forEach((key, value) -> {
      if (ownerOf(key, value).filter(owner::equals).isPresent()) {
        owned.put(key, value);
      } else {
        foreign.add(key);
      }
    });
    return new Ownership(owned, foreign);
  }

  /** The owner a key names: a claim's value is its owner, an endpoint's value has one. */
  public static Optional<EndpointValue.Owner> ownerOf(String key, StoredKey stored) {
    try {
      if (ServiceClaims.isClaimKey(key)) {
        return Optional.of(EndpointCodec.decodeOwner(stored.value()));
      }
      return Optional.ofNullable(EndpointCodec.decode(stored.value()).owner());
    } catch (EndpointCodec.MalformedValueException e) {
      return Optional.empty();
    }
  }
}
