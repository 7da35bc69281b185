package dev.registrar.operator.model;

import dev.registrar.client.EndpointValue;
import dev.registrar.client.RegistryKey;

/**
 * One key the registration wants in etcd.
 *
 * @param key the key
 * @param value the decoded value
 * @param encoded the value's bytes, as they are compared with and written to etcd
 */
public record DesiredEndpoint(RegistryKey key, EndpointValue value, byte[] encoded) {}
