package dev.registrar.operator.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnershipTest {

  static final EndpointValue.Owner ME = new EndpointValue.Owner("prod", "shop", "orders", "uid-1");

  static StoredKey owned(EndpointValue.Owner owner) {
    return new StoredKey(EndpointCodec.encode(new EndpointValue(null, 100, "10.0.0.1", 80, null, null,
        null, null, null, owner)), 1, 1);
  }

  @Test
  void onlyKeysNamingThisRegistrationAsOwnerAreOwned() {
    Ownership ownership = Ownership.of(Map.of(
        "/s/orders/1:80", owned(ME),
        "/s/orders/2:80", owned(new EndpointValue.Owner("other-cluster", "shop", "orders", "uid-1")),
        "/s/orders/3:80", owned(new EndpointValue.Owner("prod", "shop", "orders", "uid-of-a-recreated-one")),
        "/s/orders/4:80", owned(null),
        "/s/orders/5:80", new StoredKey("hand-written".getBytes(UTF_8), 0, 1)), ME);
    assertThat(ownership.owned()).containsOnlyKeys("/s/orders/1:80");
    assertThat(ownership.foreign()).containsExactly("/s/orders/2:80", "/s/orders/3:80", "/s/orders/4:80", "/s/orders/5:80");
  }

  @Test
  void aClaimIsOwnedWhenItsValueIsThisOwner() {
    Ownership ownership = Ownership.of(Map.of(
        "/registrar/claims/orders", new StoredKey(EndpointCodec.encodeOwner(ME), 1, 1),
        "/registrar/claims/other", new StoredKey(EndpointCodec.encodeOwner(
            new EndpointValue.Owner("prod", "team-b", "orders", "uid-2")), 1, 1),
        "/registrar/claims/junk", new StoredKey("x".getBytes(UTF_8), 0, 1)), ME);
    assertThat(ownership.owned()).containsOnlyKeys("/registrar/claims/orders");
    assertThat(ownership.foreign()).containsExactly("/registrar/claims/junk", "/registrar/claims/other");
  }
}
