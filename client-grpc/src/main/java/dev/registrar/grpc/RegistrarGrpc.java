package dev.registrar.grpc;

import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceInstance;
import io.etcd.jetcd.Client;
import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolver;
import java.util.Map;
import java.util.Objects;

/**
 * Where gRPC channels for {@code registrar:///{service}} targets get their registry from, and the
 * attributes each resolved address carries.
 *
 * <p>Either install one registry for the whole process, once at startup:
 *
 * <pre>{@code
 * RegistrarGrpc.install(etcdClient, RegistryPrefix.DEFAULT);
 * ManagedChannel channel = ManagedChannelBuilder.forTarget("registrar:///orders").usePlaintext().build();
 * }</pre>
 *
 * or give one channel its own: {@code RegistrarGrpc.forTarget("registrar:///orders", etcdClient,
 * prefix)}. A channel's own registry wins over the installed one. The etcd client stays the
 * caller's: close it after the channels that use it.
 */
public final class RegistrarGrpc {

  /** The target scheme: {@code registrar:///{service}?version=&zone=&cluster=}. */
  public static final String SCHEME = "registrar";

  /** The load-balancing policy the resolver selects by default. */
  public static final String POLICY_NAME = "registrar_weighted_round_robin";

  /** The registry instance behind an address. */
  public static final Attributes.Key<ServiceInstance> INSTANCE = Attributes.Key.create("registrar.instance");

  /** The instance's weight: 0 drains it (no new calls). */
  public static final Attributes.Key<Integer> WEIGHT = Attributes.Key.create("registrar.weight");

  /** The instance's version; absent when it has none. */
  public static final Attributes.Key<String> VERSION = Attributes.Key.create("registrar.version");

  /** The instance's zone; absent when it has none. */
  public static final Attributes.Key<String> ZONE = Attributes.Key.create("registrar.zone");

  /** The instance's cluster; absent when it has none. */
  public static final Attributes.Key<String> CLUSTER = Attributes.Key.create("registrar.cluster");

  /** The instance's metadata, never null. */
  public static final Attributes.Key<Map<String, String>> METADATA = Attributes.Key.create("registrar.metadata");

  /** On a resolution result: the target it answers, so that an empty service can be named. */
  static final Attributes.Key<RegistrarTarget> TARGET = Attributes.Key.create("registrar.target");

  static final NameResolver.Args.Key<RegistrySource> SOURCE_ARG = NameResolver.Args.Key.create("registrar.source");

  private static volatile RegistrySource installed;

  private RegistrarGrpc() {}

  /**
   * Makes every {@code registrar:///} channel in this process read this registry (channels built
   * later; each existing channel keeps what it started with).
   */
  public static void install(Client client, RegistryPrefix prefix) {
    installed = new RegistrySource(Objects.requireNonNull(client, "client"), Objects.requireNonNull(prefix, "prefix"));
  }

  /** {@link #install(Client, RegistryPrefix)} with the default prefix, {@code /services}. */
  public static void install(Client client) {
    install(client, RegistryPrefix.DEFAULT);
  }

  /** Forgets the installed registry; channels built later must bring their own. */
  public static void uninstall() {
    installed = null;
  }

  /** A channel builder for a {@code registrar:///} target that reads this registry. */
  public static ManagedChannelBuilder<?> forTarget(String target, Client client, RegistryPrefix prefix) {
    return ManagedChannelBuilder.forTarget(target)
        .setNameResolverArg(SOURCE_ARG, new RegistrySource(client, prefix));
  }

  /** The weight of a resolved address: 100 when it carries none. */
  public static int weightOf(EquivalentAddressGroup group) {
    return Addresses.weightOf(group);
  }

  static RegistrySource installed() {
    return installed;
  }
}
