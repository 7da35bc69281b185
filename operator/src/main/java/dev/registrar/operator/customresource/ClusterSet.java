package dev.registrar.operator.customresource;

/**
 * Whether a service name is this registration's alone, or shared with the registrations of the
 * same namespace and name in the other clusters that feed the registry (KEP-1645's namespace
 * sameness).
 */
public enum ClusterSet {
  /** The name belongs to this one registration: any other, in any cluster, is in Conflict. */
  Exclusive,
  /**
   * The name belongs to the registrations of this namespace and name, in every cluster that
   * shares it: each writes its own cluster's keys on its own lease.
   */
  Shared
}
