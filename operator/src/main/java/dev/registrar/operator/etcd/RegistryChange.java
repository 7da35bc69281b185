package dev.registrar.operator.etcd;

import dev.registrar.client.EndpointValue;
import java.util.Set;

/**
 * A change in etcd that this process did not make, as the registry watch saw it.
 *
 * @param key the key that changed
 * @param owners the owners its value named before and after the change
 * @param leases the leases it was bound to before and after the change (0 is never included)
 */
public record RegistryChange(String key, Set<EndpointValue.Owner> owners, Set<Long> leases) {

  public RegistryChange {
    owners = Set.copyOf(owners);
    leases = Set.copyOf(leases);
  }
}
