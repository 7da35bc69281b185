package dev.registrar.client;

import java.util.Optional;

/**
 * Service-name claims: {@code /registrar/claims/{serviceName}} holds the owner of a name. A
 * registration creates it with a create-if-absent transaction, bound to its lease, so that one
 * service name belongs to one registration at a time and is freed when that lease ends.
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

  /** The service name a claim key claims. */
  public static Optional<String> serviceNameOf(String key) {
    return isClaimKey(key) ? Optional.of(key.substring(PREFIX.length())) : Optional.empty();
  }
}
