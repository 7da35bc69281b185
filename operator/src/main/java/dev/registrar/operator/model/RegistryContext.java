package dev.registrar.operator.model;

import dev.registrar.client.RegistryPrefix;

/**
 * What the desired state depends on besides the registration and its Pods.
 *
 * @param prefix the registry prefix
 * @param clusterName written into every value's owner.cluster
 * @param readinessGate whether Pods with the {@link PodReadiness#GATE} gate are registered once
 *     their containers are ready (REGISTRAR_POD_READINESS_GATE)
 * @param topology whether values carry the zone of their Pod's node (REGISTRAR_TOPOLOGY)
 */
public record RegistryContext(RegistryPrefix prefix, String clusterName, boolean readinessGate, boolean topology) {

  /** With the readiness gate and topology, as by default. */
  public RegistryContext(RegistryPrefix prefix, String clusterName) {
    this(prefix, clusterName, true, true);
  }
}
