package dev.registrar.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Encodes and decodes endpoint values: compact UTF-8 JSON of at most {@link #MAX_VALUE_BYTES}.
 * Encoding is deterministic, so an unchanged endpoint encodes to the same bytes and is not
 * written again.
 */
public final class EndpointCodec {

  /** The largest value the registry accepts. */
  public static final int MAX_VALUE_BYTES = 8 * 1024;

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  private EndpointCodec() {}

  /** The value's bytes; throws {@link ValueTooLargeException} past {@link #MAX_VALUE_BYTES}. */
  public static byte[] encode(EndpointValue value) {
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("could not encode endpoint value", e);
    }
    if (bytes.length > MAX_VALUE_BYTES) {
      throw new ValueTooLargeException(bytes.length);
    }
    return bytes;
  }

  /** Decodes a value read from etcd; throws {@link MalformedValueException} when it is not one. */
  public static EndpointValue decode(byte[] bytes) {
    try {
      EndpointValue value = MAPPER.readValue(bytes, EndpointValue.class);
      if (value == null || value.address() == null || value.address().isEmpty()) {
        throw new MalformedValueException("endpoint value has no address");
      }
      if (value.port() < 1 || value.port() > 65535) {
        throw new MalformedValueException("endpoint value has port " + value.port()
            + ", outside 1-65535");
      }
      if (value.weight() < 0) {
        throw new MalformedValueException("endpoint value has negative weight " + value.weight());
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new MalformedValueException("endpoint value is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Decodes the value of {@code key} as a consumer reads it. The key is the source of host and
   * port: {@code address} and {@code port} in the value are optional, and when present must agree
   * with the key. So the seed's own {@code {"version":"1.2.0","weight":100}} and etcd's naming
   * format {@code {"Op":0,"Addr":"10.0.0.1:8080"}} are instances too.
   *
   * @throws MalformedValueException naming the problem: not a JSON object, a field that disagrees
   *     with the key, a weight that is not a whole number of at least 0, a field of the wrong type
   */
  public static EndpointValue decode(byte[] bytes, RegistryKey key) {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new MalformedValueException("not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (tree == null || tree.isMissingNode() || !tree.isObject()) {
      throw new MalformedValueException("not a JSON object but " + (tree == null || tree.isMissingNode()
          ? "nothing" : tree.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
    }
    ObjectNode value = (ObjectNode) tree;
    JsonNode addr = value.get("Addr"); // etcd's naming format
    if (addr != null && !addr.isNull() && !HostPort.parse(addr.asText()).equals(Optional.of(new HostPort(key.host(), key.port())))) {
      throw new MalformedValueException("Addr '" + addr.asText() + "' is not the key's endpoint " + key.endpoint());
    }
    JsonNode address = value.get("address");
    if (address != null && !address.isNull() && !address.asText().equalsIgnoreCase(key.host())) {
      throw new MalformedValueException("address '" + address.asText() + "' disagrees with the key's host " + key.host());
    }
    JsonNode port = value.get("port");
    if (port != null && !port.isNull() && !(port.canConvertToInt() && port.isIntegralNumber() && port.intValue() == key.port())) {
      throw new MalformedValueException("port " + port + " disagrees with the key's port " + key.port());
    }
    JsonNode weight = value.get("weight");
    if (weight != null && !weight.isNull() && !(weight.isIntegralNumber() && weight.canConvertToInt())) {
      throw new MalformedValueException("weight " + weight + " is not a whole number");
    }
    if (weight != null && weight.isIntegralNumber() && weight.intValue() < 0) {
      throw new MalformedValueException("weight " + weight + " is negative");
    }
    value.put("address", key.host());
    value.put("port", key.port());
    try {
      return MAPPER.treeToValue(value, EndpointValue.class);
    } catch (JsonProcessingException e) {
      throw new MalformedValueException("a field has the wrong type: " + e.getOriginalMessage(), e);
    }
  }

  /** A claim's value: the owner alone. */
  public static byte[] encodeOwner(EndpointValue.Owner owner) {
    try {
      return MAPPER.writeValueAsBytes(owner);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("could not encode owner", e);
    }
  }

  /** Decodes a claim's value; throws {@link MalformedValueException} when it is not an owner. */
  public static EndpointValue.Owner decodeOwner(byte[] bytes) {
    try {
      EndpointValue.Owner owner = MAPPER.readValue(bytes, EndpointValue.Owner.class);
      if (owner == null || owner.uid() == null) {
        throw new MalformedValueException("claim value names no owner");
      }
      return owner;
    } catch (JsonProcessingException e) {
      throw new MalformedValueException("claim value is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A value larger than the registry accepts. */
  public static final class ValueTooLargeException extends IllegalArgumentException {
    private final int size;

    ValueTooLargeException(int size) {
      super("endpoint value is " + size + " bytes, more than the " + MAX_VALUE_BYTES + " allowed");
      this.size = size;
    }

    public int size() {
      return size;
    }
  }

  /** Bytes under the prefix that are not an endpoint value. */
  public static final class MalformedValueException extends IllegalArgumentException {
    MalformedValueException(String message) {
      super(message);
    }

    MalformedValueException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
