package dev.registrar.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointCodecTest {

  private static final EndpointValue.Owner OWNER =
      new EndpointValue.Owner("prod", "shop", "orders", "4f1c-uid");

  private static EndpointValue sample(Map<String, String> metadata) {
    return new EndpointValue("1.2.0", 100, "10.1.2.3", 8080, "http", "orders-5d9c-x1", "shop",
        "node-1", metadata, OWNER);
  }

  @Test
  void encodesTheDesignDocumentsShapeCompactly() {
    String json = new String(EndpointCodec.encode(sample(Map.of("team", "payments"))), UTF_8);
    assertThat(json).isEqualTo(
        "{\"version\":\"1.2.0\",\"weight\":100,\"address\":\"10.1.2.3\",\"port\":8080,"
            + "\"portName\":\"http\",\"pod\":\"orders-5d9c-x1\",\"namespace\":\"shop\","
            + "\"node\":\"node-1\",\"metadata\":{\"team\":\"payments\"},"
            + "\"owner\":{\"cluster\":\"prod\",\"namespace\":\"shop\",\"name\":\"orders\","
            + "\"uid\":\"4f1c-uid\"}}");
  }

  @Test
  void roundTripsEveryField() {
    EndpointValue value = sample(Map.of("team", "payments", "zone", "a"));
    assertThat(EndpointCodec.decode(EndpointCodec.encode(value))).isEqualTo(value);
  }

  @Test
  void equalValuesEncodeToEqualBytesWhateverTheMetadataOrder() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");
    assertThat(EndpointCodec.encode(sample(ba))).isEqualTo(EndpointCodec.encode(sample(ab)));
  }

  @Test
  void absentOptionalFieldsAreLeftOutAndWeightDefaultsTo100() {
    EndpointValue minimal = new EndpointValue(null, null, "fd00::1", 80, null, null, null, null,
        null, null);
    String json = new String(EndpointCodec.encode(minimal), UTF_8);
    assertThat(json).isEqualTo("{\"weight\":100,\"address\":\"fd00::1\",\"port\":80,\"metadata\":{}}");
    EndpointValue decoded = EndpointCodec.decode("{\"address\":\"10.0.0.1\",\"port\":80}".getBytes(UTF_8));
    assertThat(decoded.weight()).isEqualTo(100);
    assertThat(decoded.metadata()).isEmpty();
  }

  @Test
  void unknownFieldsFromANewerWriterAreIgnored() {
    EndpointValue decoded = EndpointCodec.decode(
        "{\"address\":\"10.0.0.1\",\"port\":80,\"zone\":\"eu-1\",\"owner\":{\"uid\":\"u\",\"x\":1}}"
            .getBytes(UTF_8));
    assertThat(decoded.address()).isEqualTo("10.0.0.1");
    assertThat(decoded.owner().uid()).isEqualTo("u");
  }

  @Test
  void valuesOver8KiBAreRefused() {
    Map<String, String> metadata = Map.of("blob", "x".repeat(EndpointCodec.MAX_VALUE_BYTES));
    assertThatThrownBy(() -> EndpointCodec.encode(sample(metadata)))
        .isInstanceOf(EndpointCodec.ValueTooLargeException.class)
        .hasMessageContaining("more than the 8192 allowed");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "not json", "", "[]", "null", "{\"port\":80}", "{\"address\":\"\",\"port\":80}",
      "{\"address\":\"10.0.0.1\"}", "{\"address\":\"10.0.0.1\",\"port\":70000}",
      "{\"address\":\"10.0.0.1\",\"port\":80,\"weight\":-1}",
      "{\"address\":\"10.0.0.1\",\"port\":\"eighty\"}"})
  void malformedValuesAreReportedNotCrashed(String raw) {
    assertThatThrownBy(() -> EndpointCodec.decode(raw.getBytes(UTF_8)))
        .isInstanceOf(EndpointCodec.MalformedValueException.class);
  }

  static final RegistryKey ORDERS = RegistryPrefix.DEFAULT.key("orders", "10.0.0.67", 8080);

  @Test
  void theSeedsOwnValueIsAnInstanceWithHostAndPortFromTheKey() {
    EndpointValue value = EndpointCodec.decode("{\"version\":\"1.2.0\",\"weight\":100}".getBytes(UTF_8), ORDERS);
    assertThat(value.version()).isEqualTo("1.2.0");
    assertThat(value.weight()).isEqualTo(100);
    assertThat(value.address()).isEqualTo("10.0.0.67");
    assertThat(value.port()).isEqualTo(8080);
    assertThat(EndpointCodec.decode("{}".getBytes(UTF_8), ORDERS).weight()).isEqualTo(100);
  }

  @Test
  void etcdsNamingFormatIsAnInstanceToo() {
    EndpointValue value = EndpointCodec.decode("{\"Op\":0,\"Addr\":\"10.0.0.67:8080\",\"Metadata\":\"x\"}"
        .getBytes(UTF_8), ORDERS);
    assertThat(value.address()).isEqualTo("10.0.0.67");
    assertThat(value.weight()).isEqualTo(100);
  }

  @Test
  void theOperatorsValueAgreesWithItsKey() {
    EndpointValue written = new EndpointValue("2.0", 7, "10.0.0.67", 8080, "http", "p", "ns", "n",
        Map.of("zone", "a"), null);
    assertThat(EndpointCodec.decode(EndpointCodec.encode(written), ORDERS)).isEqualTo(written);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "not json | not valid JSON",
      "[] | not a JSON object but array",
      "null | not a JSON object but null",
      "'' | not a JSON object but nothing",
      "{\"address\":\"10.0.0.1\"} | address '10.0.0.1' disagrees with the key's host 10.0.0.67",
      "{\"port\":9090} | port 9090 disagrees with the key's port 8080",
      "{\"port\":\"8080\"} | port \"8080\" disagrees with the key's port 8080",
      "{\"Op\":0,\"Addr\":\"10.0.0.1:8080\"} | Addr '10.0.0.1:8080' is not the key's endpoint 10.0.0.67:8080",
      "{\"weight\":-1} | weight -1 is negative",
      "{\"weight\":\"heavy\"} | weight \"heavy\" is not a whole number",
      "{\"weight\":1.5} | weight 1.5 is not a whole number",
      "{\"metadata\":[1]} | a field has the wrong type"})
  void aValueThatIsNotAnInstanceSaysWhy(String raw, String problem) {
    assertThatThrownBy(() -> EndpointCodec.decode(raw.getBytes(UTF_8), ORDERS))
        .isInstanceOf(EndpointCodec.MalformedValueException.class)
        .hasMessageStartingWith(problem);
  }
}
