package dev.registrar.operator.model;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Splits what etcd holds under a service path into the registration's own keys and everybody
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
      if (ownerOf(value).filter(owner::equals).isPresent()) {
        owned.put(key, value);
      } else {
        foreign.add(key);
      }
    });
    return new Ownership(owned, foreign);
  }

  private static Optional<EndpointValue.Owner> ownerOf(StoredKey stored) {
    try {
      return Optional.ofNullable(EndpointCodec.decode(stored.value()).owner());
    } catch (EndpointCodec.MalformedValueException e) {
      return Optional.empty();
    }
  }
}
