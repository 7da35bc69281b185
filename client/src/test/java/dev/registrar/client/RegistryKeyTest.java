package dev.registrar.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RegistryKeyTest {

  private static final RegistryPrefix PREFIX = RegistryPrefix.DEFAULT;

  @Test
  void ipv4KeyHasHostColonPortUnderTheServicePath() {
    RegistryKey key = PREFIX.key("orders", "10.1.2.3", 8080);
    assertThat(key.asString()).isEqualTo("/services/orders/10.1.2.3:8080");
    assertThat(key.endpoint()).isEqualTo("10.1.2.3:8080");
  }

  @Test
  void ipv6HostIsWrittenInBrackets() {
    RegistryKey key = PREFIX.key("orders", "fd00::1", 8080);
    assertThat(key.asString()).isEqualTo("/services/orders/[fd00::1]:8080");
  }

  @Test
  void keysParseBackToTheSameParts() {
    for (RegistryKey key : new RegistryKey[] {
        PREFIX.key("orders", "10.1.2.3", 1),
        PREFIX.key("orders", "fd00::1", 65535),
        PREFIX.key("a", "2001:db8::ff00:42:8329", 443),
        new RegistryPrefix("/registry/prod").key("pay-api", "10.0.0.9", 9090)}) {
      assertThat(key.prefix().parse(key.asString())).contains(key);
    }
  }

  @Test
  void prefixesHandedOutAlwaysEndInSlashSoNamesDoNotOverlap() {
    assertThat(PREFIX.root()).isEqualTo("/services/");
    assertThat(PREFIX.servicePath("foo")).isEqualTo("/services/foo/");
    assertThat(PREFIX.key("foo-bar", "10.0.0.1", 80).asString())
        .doesNotStartWith(PREFIX.servicePath("foo"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/services/orders/10.1.2.3",          // no port
      "/services/orders/10.1.2.3:0",        // port 0
      "/services/orders/10.1.2.3:70000",    // port too large
      "/services/orders/10.1.2.3:80x",      // port not numeric
      "/services/orders/fd00::1:8080",      // IPv6 without brackets
      "/services/orders/[fd00::1]8080",     // bracket without colon
      "/services/orders/[10.0.0.1]:8080",   // brackets around IPv4
      "/services/orders/sub/10.1.2.3:8080", // extra segment
      "/services//10.1.2.3:8080",           // empty service name
      "/services/orders/:8080",             // empty host
      "/servicesX/orders/10.1.2.3:8080",    // other prefix sharing a beginning
      "/other/orders/10.1.2.3:8080",
      ""})
  void malformedOrForeignKeysDoNotParse(String key) {
    assertThat(PREFIX.parse(key)).isEmpty();
  }

  /** Other writers' names (go-zero's "orders.rpc") are read; they are never written. */
  @ParameterizedTest
  @ValueSource(strings = {"orders.rpc", "Orders", "a_b", "user-api.v2"})
  void anyServiceSegmentWithoutASlashIsReadButNotWritten(String name) {
    assertThat(PREFIX.parse("/services/" + name + "/10.1.2.3:8080")).hasValueSatisfying(key -> {
      assertThat(key.serviceName()).isEqualTo(name);
      assertThat(key.asString()).isEqualTo("/services/" + name + "/10.1.2.3:8080");
    });
    assertThat(PREFIX.servicePath(name)).isEqualTo("/services/" + name + "/");
    assertThatThrownBy(() -> PREFIX.key(name, "10.0.0.1", 80)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Orders", "a/b", "..", "a..b/", "-a", "a-", "", "a_b"})
  void invalidServiceNamesAreRejected(String name) {
    assertThatThrownBy(() -> PREFIX.key(name, "10.0.0.1", 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DNS-1123 label");
  }

  @Test
  void serviceNameOfSixtyFourCharactersIsRejected() {
    assertThat(ServiceNames.isValid("a".repeat(63))).isTrue();
    assertThat(ServiceNames.isValid("a".repeat(64))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 65536})
  void portsOutsideTheValidRangeAreRejected(int port) {
    assertThatThrownBy(() -> PREFIX.key("orders", "10.0.0.1", port))
        .hasMessageContaining("outside 1-65535");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/b", "10.0.0.1/8", "[fd00::1]", ""})
  void hostsThatCouldEscapeTheKeyAreRejected(String host) {
    assertThatThrownBy(() -> PREFIX.key("orders", host, 80)).hasMessageContaining("invalid host");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "services", "/services/", "/", "//services", "/a//b", "/a/../b", "/a b"})
  void invalidPrefixesAreRejected(String path) {
    assertThat(RegistryPrefix.problemWith(path)).isNotNull();
    assertThatThrownBy(() -> new RegistryPrefix(path))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid registry prefix");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/services", "/registry/prod", "/a_b/c-d.e"})
  void validPrefixesAreAccepted(String path) {
    assertThat(RegistryPrefix.problemWith(path)).isNull();
    assertThat(new RegistryPrefix(path).root()).isEqualTo(path + "/");
  }
}
