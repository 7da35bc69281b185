package dev.registrar.operator.model;

/** Condition and Event reasons: CamelCase, stable, documented in DESIGN.md. */
public final class Reasons {

  private Reasons() {}

  // Ready
  public static final String SYNCED = "Synced";
  /** Another cluster holds this cluster's name in the registry: nothing is written. */
  public static final String CLUSTER_NAME_TAKEN = "ClusterNameTaken";
  /** ClusterSetConsistent: every cluster sharing the name registers the same ports. */
  public static final String SAME_PORTS = "SamePorts";
  /** ClusterSetConsistent False: a cluster sharing the name registers other ports (Istio's MultiClusterInconsistentService). */
  public static final String INCONSISTENT_PORTS = "InconsistentPorts";
  public static final String SYNCING = "Syncing";
  public static final String ETCD_UNAVAILABLE = "EtcdUnavailable";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String CONFLICT = "Conflict";
  /** The name policy does not let the registration's namespace publish its service name. */
  public static final String NAME_NOT_ALLOWED = "NameNotAllowed";
  public static final String LEASE_LOST = "LeaseLost";
  /** etcd refused a call: the operator's role does not grant the registry prefix or the claims. */
  public static final String ETCD_PERMISSION_DENIED = "EtcdPermissionDenied";
  /** A desired endpoint's key is held by another owner (on another lease or none). */
  public static final String KEYS_HELD_ELSEWHERE = "KeysHeldElsewhere";

  // EndpointsAvailable
  public static final String ENDPOINTS_REGISTERED = "EndpointsRegistered";
  public static final String NO_MATCHING_PODS = "NoMatchingPods";
  public static final String NO_READY_PODS = "NoReadyPods";

  // Events
  public static final String REGISTERED = "Registered";
  public static final String DEREGISTERED = "Deregistered";
  public static final String LEASE_RENEWED = "LeaseRenewed";
  /** On a Pod: one of its registrar.dev annotations was ignored. */
  public static final String OVERRIDE_IGNORED = "OverrideIgnored";

  // The Pod condition registrar.dev/registered (the readiness gate)
  public static final String GATE_REGISTERED = "Registered";
  public static final String GATE_NOT_SELECTED = "NotSelected";
  public static final String GATE_REGISTRATION_NOT_READY = "RegistrationNotReady";
  public static final String GATE_ETCD_UNAVAILABLE = "EtcdUnavailable";
  public static final String GATE_DEREGISTERED = "Deregistered";
}
