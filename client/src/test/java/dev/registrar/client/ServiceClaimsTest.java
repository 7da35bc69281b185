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
