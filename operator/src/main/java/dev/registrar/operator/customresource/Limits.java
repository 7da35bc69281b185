package dev.registrar.operator.customresource;

/**
 * Every limit of the spec, defined once: the CRD's validation annotations (so the API server
 * refuses a bad spec) and the operator's own check (for an older CRD) both read them.
 */
public final class Limits {

  private Limits() {}

  /** A DNS-1123 label: service names, port names. */
  public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  public static final int MAX_SERVICE_NAME = 63;
  public static final int MAX_PORT_NAME = 63;
  /** A container port's name is an IANA service name: at most 15 characters. */
  public static final int MAX_CONTAINER_PORT_NAME = 15;
  public static final int MIN_PORT = 1;
  public static final int MAX_PORT = 65535;
  public static final int MAX_PORTS = 16;
  public static final int MAX_VERSION = 64;
  public static final int MIN_WEIGHT = 0;
  public static final int MAX_WEIGHT = 10000;
  public static final int DEFAULT_WEIGHT = 100;
  public static final int MAX_METADATA_ENTRIES = 32;
  public static final int MAX_METADATA_KEY_LENGTH = 63;
  public static final int MAX_METADATA_VALUE_LENGTH = 256;
  public static final int MIN_LEASE_TTL_SECONDS = 15;
  public static final int MAX_LEASE_TTL_SECONDS = 3600;
  public static final int DEFAULT_LEASE_TTL_SECONDS = 30;
}
