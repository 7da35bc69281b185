package dev.registrar.operator.store;

import dev.registrar.client.ServiceClaims;
import dev.registrar.operator.etcd.EtcdRegistry;
import dev.registrar.operator.etcd.LeaseKeeper;
import dev.registrar.operator.etcd.RegistryView;
import dev.registrar.operator.model.Plan;
import dev.registrar.operator.model.StoredKey;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The store in etcd. Observing is served from the watch-fed {@link RegistryView}, so that the
 * steady state costs one round trip per change, the write; only a view that is not loaded yet
 * (the first seconds after start) or a failed compare reads etcd.
 */
public final class EtcdRegistrationStore implements RegistrationStore {

  private final EtcdRegistry etcd;
  private final LeaseKeeper keeper;
  private final RegistryView view;
  private final String registryRoot;

  /** @param registryRoot the registry prefix's root, ending in '/' */
  public EtcdRegistrationStore(EtcdRegistry etcd, LeaseKeeper keeper, RegistryView view, String registryRoot) {
    this.etcd = etcd;
    this.keeper = keeper;
    this.view = view;
    this.registryRoot = registryRoot;
  }

  @Override
  public Map<String, StoredKey> observe(Scope scope) {
    if (!view.covers(registryRoot, ServiceClaims.PREFIX)) {
      return reread(scope);
    }
    Map<String, StoredKey> stored = new TreeMap<>(view.onLeases(scope.leases()));
    stored.putAll(view.under(scope.servicePath()));
    view.get(scope.claimKey()).ifPresent(claim -> stored.put(scope.claimKey(), claim));
    stored.putAll(view.under(scope.membersPath()));
    return stored;
  }

  @Override
  public Map<String, StoredKey> reread(Scope scope) {
    Map<String, StoredKey> stored = new TreeMap<>();
    for (long lease : scope.leases()) {
      etcd.lease(lease, true).ifPresent(info -> stored.putAll(etcd.readKeys(info.keys().stream()
          .filter(key -> key.startsWith(registryRoot) || ServiceClaims.isClaimKey(key)).toList())));
    }
    stored.putAll(etcd.readPrefix(scope.servicePath()));
    stored.putAll(etcd.readKeys(List.of(scope.claimKey())));
    stored.putAll(etcd.readPrefix(scope.membersPath()));
    return stored;
  }

  @Override
  public void apply(Plan plan, long leaseId) {
    etcd.apply(plan, leaseId);
  }

  @Override
  public long grantLease(long ttlSeconds) {
    return etcd.grantLease(ttlSeconds);
  }

  @Override
  public OptionalLong grantedTtl(long leaseId) {
    return etcd.lease(leaseId, false).map(info -> OptionalLong.of(info.grantedTtl())).orElse(OptionalLong.empty());
  }

  @Override
  public void revokeLease(long leaseId) {
    etcd.revokeLease(leaseId);
  }

  @Override
  public void keepAlive(long leaseId, long ttlSeconds, Runnable onLost) {
    keeper.keep(leaseId, ttlSeconds, onLost);
  }

  @Override
  public void stopKeepingAlive(long leaseId) {
    keeper.release(leaseId);
  }

  @Override
  public KeepAlive keepAliveOf(long leaseId) {
    return switch (keeper.state(leaseId)) {
      case KEPT -> new KeepAlive(KeepAlive.State.KEPT, keeper.ttl(leaseId));
      case LOST -> new KeepAlive(KeepAlive.State.LOST, keeper.ttl(leaseId));
      case UNKNOWN -> KeepAlive.NONE;
    };
  }
}
