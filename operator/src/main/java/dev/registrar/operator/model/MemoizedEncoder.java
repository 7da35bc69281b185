package dev.registrar.operator.model;

import dev.registrar.client.EndpointValue;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One registration's encoded values, kept from one reconcile to the next: a change of one Pod
 * re-encodes that Pod's value, not the value of every other Pod the registration holds (with
 * 1,000 Pods in a registration, a flip encoded 1,000 JSON documents). A value is looked up by
 * equality of the whole value, so anything that changes it (spec, Pod, zone, owner) encodes it
 * again. The memo holds exactly the values of the last reconcile, so it never grows past them.
 */
public final class MemoizedEncoder {

  private Map<EndpointValue, byte[]> previous = Map.of();
  private long encoded;

  /**
   * Runs one reconcile's {@code work} with an encoder that reuses the bytes of values the last
   * round encoded; what this round encodes or reuses is the memo for the next.
   */
  public synchronized <T> T round(Function<ValueEncoder, T> work) {
    Map<EndpointValue, byte[]> before = previous;
    Map<EndpointValue, byte[]> current = new HashMap<>();
    T result = work.apply(value -> current.computeIfAbsent(value, v -> {
      byte[] known = before.get(v);
      if (known != null) {
        return known;
      }
      encoded++;
      return ValueEncoder.DIRECT.encode(v);
    }));
    previous = current;
    return result;
  }

  /** How many values were encoded in all (not taken from the memo): what a test counts. */
  public synchronized long encoded() {
    return encoded;
  }
}
