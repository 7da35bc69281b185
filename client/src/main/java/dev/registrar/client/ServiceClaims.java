package dev.registrar.client;

import java.util.Optional;

/**
 * Service-name claims: {@code /registrar/claims/{serviceName}} holds the owner of a name. A
 * registration creates it with a create-if-absent transaction, bound to its lease, so that one
 * service name belongs to one registration at a time and is freed when that lease ends.
 *
 * <p>A name shared across clusters ({@code spec.clusterSet: Shared}) has, besides its claim,
 * one member key per cluster that shares it: {@code /registrar/claims/{serviceName}/{cluster}},
 * bound to that cluster's lease, so that a cluster that dies leaves the set at its lease's TTL.
 */
public final class ServiceClaims {

  /** Every claim key starts with this; like every prefix, it ends in '/'. */
  public static final String PREFIX = "/registrar/claims/";

  private ServiceClaims() {}

  public static String key(String serviceName) {
    ServiceNames.requireValid(serviceName);
    return PREFIX + serviceName;
  }

  public static boolean isClaimKey(String key) {
    return key != null && key.startsWith(PREFIX) && ServiceNames.isValid(key.substring(PREFIX.length()));
  }

  /** Where the member keys of a shared name live: the claim key and a '/'. */
  public static String membersPrefix(String serviceName) {
    return key(serviceName) + "/";
  }

  /** The member key of {@code cluster} (a DNS-1123 label) in the set sharing {@code serviceName}. */
  public static String memberKey(String serviceName, String cluster) {
    ServiceNames.requireValid(cluster);
    return membersPrefix(serviceName) + cluster;
  }

  /** Whether the key is a shared name's member key. */
  public static boolean isMemberKey(String key) {
    return clusterOfMember(key).isPresent();
  }

  /** The cluster a member key stands for. */
  public static Optional<String> clusterOfMember(String key) {
    if (key == null || !key.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String[] parts = key.substring(PREFIX.length()).split("/", -1);
    return parts.length == 2 && ServiceNames.isValid(parts[0]) && ServiceNames.isValid(parts[1])
        ? Optional.of(parts[1]) : Optional.empty();
  }

  /** The service name a claim key claims. */
  public static Optional<String> serviceNameOf(String key) {
    return isClaimKey(key) ? Optional.of(key.substring(PREFIX.length())) : Optional.empty();
  }
}
