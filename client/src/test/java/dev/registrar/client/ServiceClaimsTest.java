package dev.registrar.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServiceClaimsTest {

  @Test
  void claimKeysLiveUnderTheClaimsPrefix() {
    assertThat(ServiceClaims.key("orders")).isEqualTo("/registrar/claims/orders");
    assertThat(ServiceClaims.serviceNameOf("/registrar/claims/orders")).contains("orders");
    assertThat(ServiceClaims.isClaimKey("/registrar/claims/Orders")).isFalse();
    assertThat(ServiceClaims.isClaimKey("/registrar/claims/a/b")).isFalse();
    assertThat(ServiceClaims.isClaimKey("/services/orders/10.0.0.1:80")).isFalse();
    assertThatThrownBy(() -> ServiceClaims.key("../x")).hasMessageContaining("DNS-1123 label");
  }

  @Test
  void aSharedNameHasOneMemberKeyPerClusterUnderItsClaim() {
    assertThat(ServiceClaims.memberKey("orders", "eu-1")).isEqualTo("/registrar/claims/orders/eu-1");
    assertThat(ServiceClaims.membersPrefix("orders")).isEqualTo("/registrar/claims/orders/");
    assertThat(ServiceClaims.clusterOfMember("/registrar/claims/orders/eu-1")).contains("eu-1");
    assertThat(ServiceClaims.isMemberKey("/registrar/claims/orders")).isFalse();
    assertThat(ServiceClaims.isMemberKey("/registrar/claims/orders/eu-1/x")).isFalse();
    assertThat(ServiceClaims.isMemberKey("/registrar/claims/orders/EU")).isFalse();
    assertThat(ServiceClaims.isMemberKey("/services/orders/eu-1")).isFalse();
    // A member key is no claim: a shared name's members never read as names of their own.
    assertThat(ServiceClaims.isClaimKey("/registrar/claims/orders/eu-1")).isFalse();
    assertThatThrownBy(() -> ServiceClaims.memberKey("orders", "a/b")).hasMessageContaining("DNS-1123 label");
  }

  @Test
  void aClaimsValueIsItsOwner() {
    EndpointValue.Owner owner = new EndpointValue.Owner("prod", "shop", "orders", "uid-1");
    byte[] bytes = EndpointCodec.encodeOwner(owner);
    assertThat(new String(bytes, UTF_8))
        .isEqualTo("{\"cluster\":\"prod\",\"namespace\":\"shop\",\"name\":\"orders\",\"uid\":\"uid-1\"}");
    assertThat(EndpointCodec.decodeOwner(bytes)).isEqualTo(owner);
    assertThatThrownBy(() -> EndpointCodec.decodeOwner("{}".getBytes(UTF_8)))
        .isInstanceOf(EndpointCodec.MalformedValueException.class);
    assertThatThrownBy(() -> EndpointCodec.decodeOwner("nope".getBytes(UTF_8)))
        .isInstanceOf(EndpointCodec.MalformedValueException.class);
  }
}
