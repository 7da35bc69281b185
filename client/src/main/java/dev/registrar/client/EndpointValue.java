package dev.registrar.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON value of one endpoint key. Unknown fields are ignored when reading, so that a newer
 * writer never breaks an older reader.
 *
 * @param version the service version, or null
 * @param weight relative weight for load balancing; 0 means never picked; absent means 100
 * @param address the host: a pod IP (IPv6 without brackets)
 * @param port the port number
 * @param portName the name of the port in the registration, or null
 * @param pod the pod's name, or null outside Kubernetes
 * @param namespace the pod's namespace, or null outside Kubernetes
 * @param node the node the pod runs on, or null
 * @param zone the zone the endpoint runs in (the node's topology.kubernetes.io/zone), or null
 * @param metadata free-form labels, never null (sorted, so that equal values encode equally)
 * @param owner who wrote the key
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"version", "weight", "address", "port", "portName", "pod", "namespace", "node",
    "zone", "metadata", "owner"})
public record EndpointValue(
    String version,
    Integer weight,
    String address,
    int port,
    String portName,
    String pod,
    String namespace,
    String node,
    String zone,
    Map<String, String> metadata,
    Owner owner) {

  public static final int DEFAULT_WEIGHT = 100;

  public EndpointValue {
    weight = weight == null ? DEFAULT_WEIGHT : weight;
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  /** A value without a zone. */
  public EndpointValue(String version, Integer weight, String address, int port, String portName, String pod,
      String namespace, String node, Map<String, String> metadata, Owner owner) {
    this(version, weight, address, port, portName, pod, namespace, node, null, metadata, owner);
  }

  /**
   * Who wrote a key: the operator writes, changes or deletes only keys whose owner is the
   * registration in question.
   *
   * @param cluster the operator's cluster name
   * @param namespace the ServiceRegistration's namespace
   * @param name the ServiceRegistration's name
   * @param uid the ServiceRegistration's UID, so that a re-created registration is a new owner
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"cluster", "namespace", "name", "uid"})
  public record Owner(String cluster, String namespace, String name, String uid) {}
}
