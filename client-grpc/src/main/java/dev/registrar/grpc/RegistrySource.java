package dev.registrar.grpc;

import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceDiscovery;
import io.etcd.jetcd.Client;
import java.util.HashMap;
import java.util.Map;

/**
 * One registry (an etcd client and a prefix) and the watches open on it: channels to the same
 * service share one {@link ServiceDiscovery}, closed when the last of them shuts down.
 */
final class RegistrySource {

  private final Client client;
  private final RegistryPrefix prefix;
  private final Map<String, Shared> watches = new HashMap<>();

  private record Shared(ServiceDiscovery discovery, int users) {}

  RegistrySource(Client client, RegistryPrefix prefix) {
    this.client = client;
    this.prefix = prefix;
  }

  RegistryPrefix prefix() {
    return prefix;
  }

  synchronized ServiceDiscovery acquire(String service) {
    Shared shared = watches.get(service);
    if (shared == null) {
      shared = new Shared(ServiceDiscovery.watch(client, prefix, service), 0);
    }
    watches.put(service, new Shared(shared.discovery(), shared.users() + 1));
    return shared.discovery();
  }

  void release(String service) {
    ServiceDiscovery last = null;
    synchronized (this) {
      Shared shared = watches.get(service);
      if (shared == null) {
        return;
      }
      if (shared.users() > 1) {
        watches.put(service, new Shared(shared.discovery(), shared.users() - 1));
      } else {
        watches.remove(service);
        last = shared.discovery();
      }
    }
    if (last != null) {
      last.close();
    }
  }
}
