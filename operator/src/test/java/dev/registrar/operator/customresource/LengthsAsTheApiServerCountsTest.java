package dev.registrar.operator.customresource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.operator.model.SpecValidation;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The operator's own validation counts lengths as the CRD does (OpenAPI {@code maxLength} and
 * CEL's {@code size()} count Unicode characters): at every length limit, with one-unit and
 * two-unit characters, the CRD and the operator accept and refuse the same objects. Before, 40
 * emoji were 40 characters to the API server and 80 to the operator.
 */
class LengthsAsTheApiServerCountsTest {

  private static final GeneratedCrd CRD = GeneratedCrd.load();
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  @ParameterizedTest(name = "{0} of {1} x ''{2}''")
  @CsvSource({
      "version, 64, a", "version, 65, a", "version, 64, \uD83D\uDE80", "version, 65, \uD83D\uDE80",
      "version, 33, \u00e9", "metadata key, 63, k", "metadata key, 64, k", "metadata key, 63, \u00df",
      "metadata key, 63, \uD83D\uDE80", "metadata key, 64, \uD83D\uDE80", "metadata value, 256, v",
      "metadata value, 257, v", "metadata value, 256, \uD83D\uDE80", "metadata value, 257, \uD83D\uDE80"})
  void theCrdAndTheOperatorAgreeAtEveryLengthLimit(String field, int count, String character) {
    String text = character.repeat(count);
    Map<String, Object> object = registration((spec, value) -> {
      switch (field) {
        case "version" -> spec.put("version", value);
        case "metadata key" -> spec.put("metadata", Map.of(value, "v"));
        default -> spec.put("metadata", Map.of("k", value));
      }
    }, text);
    boolean crdAccepts = CRD.violations(object).isEmpty();
    var problem = SpecValidation.problem(JSON.unmarshal(JSON.asJson(object), ServiceRegistration.class));
    assertThat(problem.isEmpty()).as("the operator agrees with the CRD (%s); the operator says %s", CRD.violations(object),
        problem).isEqualTo(crdAccepts);
  }

  @ParameterizedTest(name = "serviceName ''{0}''")
  @CsvSource(value = {"''", "'Orders'"}, quoteCharacter = '\'')
  void anEmptyServiceNameIsRefusedAsTheCrdRefusesIt(String serviceName) {
    Map<String, Object> object = registration((spec, value) -> spec.put("serviceName", value), serviceName);
    assertThat(CRD.violations(object)).isNotEmpty();
    assertThat(SpecValidation.problem(JSON.unmarshal(JSON.asJson(object), ServiceRegistration.class)))
        .hasValueSatisfying(p -> assertThat(p).startsWith("spec.serviceName '" + serviceName + "' must be a DNS-1123 label"));
  }

  private static Map<String, Object> registration(BiConsumer<Map<String, Object>, String> change, String value) {
    return SampleRegistrations.registration("shop", "orders", spec -> change.accept(spec, value));
  }
}
