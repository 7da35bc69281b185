package dev.registrar.operator.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.registrar.client.EndpointValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * The value of a claim or member key, as the operator reads it: the owner (all an Exclusive
 * claim ever held, so older operators read every claim the same), whether the name is shared
 * across clusters, and, in a member key, the ports that cluster registers.
 *
 * <pre>{"cluster":"eu-1","namespace":"shop","name":"cart","uid":"…","clusterSet":"Shared","ports":["http=8080"]}</pre>
 *
 * @param ports "name=port" (or "name=containerPort" for a named container port), sorted; empty in
 *     a claim
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"cluster", "namespace", "name", "uid", "clusterSet", "ports"})
public record SharedClaim(String cluster, String namespace, String name, String uid, String clusterSet,
    List<String> ports) {

  public static final String SHARED = "Shared";

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  public SharedClaim {
    ports = ports == null ? List.of() : ports.stream().sorted().toList();
  }

  /** The shared claim, or member value, of {@code owner}. */
  public static SharedClaim of(EndpointValue.Owner owner, List<String> ports) {
    return new SharedClaim(owner.cluster(), owner.namespace(), owner.name(), owner.uid(), SHARED, ports);
  }

  /** The ports of a registration as a member key lists them: "name=port", or "name=containerPort". */
  public static List<String> portsOf(List<dev.registrar.operator.customresource.PortSpec> ports) {
    return ports == null ? List.of() : ports.stream()
        .map(p -> p.getName() + "=" + (p.getPort() != null ? p.getPort().toString() : p.getContainerPort()))
        .sorted().toList();
  }

  public EndpointValue.Owner owner() {
    return new EndpointValue.Owner(cluster, namespace, name, uid);
  }

  public boolean shared() {
    return SHARED.equals(clusterSet);
  }

  /** Whether {@code other} is of the same set: the same namespace and name, in any cluster. */
  public boolean sameSetAs(EndpointValue.Owner other) {
    return namespace != null && namespace.equals(other.namespace()) && name != null && name.equals(other.name());
  }

  public byte[] encode() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("could not encode a claim", e);
    }
  }

  /** The claim a value holds; empty when it is not one (no owner uid, not JSON). */
  public static Optional<SharedClaim> decode(byte[] value) {
    try {
      SharedClaim claim = JSON.readValue(value, SharedClaim.class);
      return claim == null || claim.uid() == null ? Optional.empty() : Optional.of(claim);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
