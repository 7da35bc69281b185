package dev.registrar.operator.model;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;

/** Turns an endpoint's value into the bytes etcd stores. */
@FunctionalInterface
public interface ValueEncoder {

  /** Encodes every value afresh. */
  ValueEncoder DIRECT = EndpointCodec::encode;

  /** @throws EndpointCodec.ValueTooLargeException when the value exceeds 8 KiB */
  byte[] encode(EndpointValue value);
}
