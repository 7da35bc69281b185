package dev.registrar.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

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
