package dev.registrar.operator.model;

import dev.registrar.client.RegistryPrefix;

/**
 * What the desired state depends on besides the registration and its Pods.
 *
 * @param prefix the registry prefix
 * @param clusterName written into every value's owner.cluster
 */
public record RegistryContext(RegistryPrefix prefix, String clusterName) {}
