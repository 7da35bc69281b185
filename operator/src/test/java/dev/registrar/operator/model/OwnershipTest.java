package dev.registrar.operator.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import java.util.Map;
import java.util.Set;
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
        "/s/orders/5:80", new StoredKey("hand-written".getBytes(UTF_8), 0, 1)), ME, Set.of(7L));
    assertThat(ownership.owned()).containsOnlyKeys("/s/orders/1:80");
    assertThat(ownership.foreignKeys()).containsExactly("/s/orders/2:80", "/s/orders/3:80", "/s/orders/4:80", "/s/orders/5:80");
  }

  @Test
  void aClaimIsOwnedWhenItsValueIsThisOwner() {
    Ownership ownership = Ownership.of(Map.of(
        "/registrar/claims/orders", new StoredKey(EndpointCodec.encodeOwner(ME), 1, 1),
        "/registrar/claims/other", new StoredKey(EndpointCodec.encodeOwner(
            new EndpointValue.Owner("prod", "team-b", "orders", "uid-2")), 1, 1),
        "/registrar/claims/junk", new StoredKey("x".getBytes(UTF_8), 0, 1)), ME, Set.of(7L));
    assertThat(ownership.owned()).containsOnlyKeys("/registrar/claims/orders");
    assertThat(ownership.foreignKeys()).containsExactly("/registrar/claims/junk", "/registrar/claims/other");
  }

  @Test
  void aKeyOnOneOfTheRegistrationsLeasesIsItsWhateverTheValueSays() {
    Ownership ownership = Ownership.of(Map.of(
        "/s/orders/1:80", new StoredKey("{\"tampered\":true}".getBytes(UTF_8), 7, 1),
        "/s/orders/2:80", new StoredKey(owned(new EndpointValue.Owner("prod", "team-b", "x", "u")).value(), 7, 1),
        "/s/orders/3:80", new StoredKey("{\"version\":\"1.0\",\"weight\":5}".getBytes(UTF_8), 9, 1),
        "/s/orders/4:80", new StoredKey("{\"tampered\":true}".getBytes(UTF_8), 0, 1)), ME, Set.of(7L, 8L));
    assertThat(ownership.owned()).containsOnlyKeys("/s/orders/1:80", "/s/orders/2:80");
    assertThat(ownership.foreignKeys()).containsExactly("/s/orders/3:80", "/s/orders/4:80");
  }

  @Test
  void noLeaseIsNeverAnOwnLease() {
    Ownership ownership = Ownership.of(Map.of(
        "/s/orders/1:80", new StoredKey("{\"version\":\"1.0\",\"weight\":5}".getBytes(UTF_8), 0, 1)), ME, Set.of(0L));
    assertThat(ownership.foreignKeys()).containsExactly("/s/orders/1:80");
  }

  @Test
  void holdersAreNamedForTheConditionMessage() {
    assertThat(Ownership.holderOf("/s/orders/1:80", new StoredKey(owned(ME).value(), 0x1a, 1)))
        .isEqualTo("registration shop/orders of cluster 'prod' (lease 1a)");
    assertThat(Ownership.holderOf("/s/orders/1:80", new StoredKey("not json".getBytes(UTF_8), 0, 1)))
        .isEqualTo("a value Registrar cannot read (no lease)");
  }

  @Test
  void aValueWithoutAnOwnerIsAnOutsideProcessButAnUnreadableClaimIsUnreadable() {
    assertThat(Ownership.holderOf("/s/orders/1:80", new StoredKey(
        "{\"address\":\"10.0.0.1\",\"port\":80}".getBytes(UTF_8), 0x2b, 1)))
        .isEqualTo("a process outside Registrar, value without an owner (lease 2b)");
    assertThat(Ownership.holderOf("/registrar/claims/orders", new StoredKey(
        "{\"address\":\"10.0.0.1\",\"port\":80}".getBytes(UTF_8), 0x2b, 1)))
        .isEqualTo("a value Registrar cannot read (lease 2b)");
  }
}
