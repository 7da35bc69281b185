package dev.registrar.operator.customresource;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * A registration is read as fabric8 reads it for the informer: whatever one object holds, the
 * read succeeds, and a spec the model cannot map says which field, what it needs and what it holds.
 */
class TolerantReadingTest {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private static ServiceRegistration read(String spec) {
    return JSON.unmarshal("""
        {"apiVersion":"registrar.dev/v1alpha1","kind":"ServiceRegistration",
         "metadata":{"name":"orders","namespace":"shop"},"spec":%s}""".formatted(spec), ServiceRegistration.class);
  }

  private static String valid(String replace, String with) {
    return """
        {"serviceName":"orders","selector":{"matchLabels":{"app":"orders"}},
         "ports":[{"name":"http","port":8080}],"version":"1.0.0","weight":100,"leaseTTLSeconds":30,
         "metadata":{"team":"payments"}}""".replace(replace, with);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "a word for a number | \"weight\":100 | \"weight\":\"heavy\" | spec.weight: cannot be read: expected a whole number, got \"heavy\"",
      "a port number as a word | \"port\":8080 | \"port\":\"eighty\" | spec.ports[0].port: cannot be read: expected a whole number, got \"eighty\"",
      "a fraction as text | \"leaseTTLSeconds\":30 | \"leaseTTLSeconds\":\"30.5\" | spec.leaseTTLSeconds: cannot be read: expected a whole number, got \"30.5\"",
      "beyond int | \"weight\":100 | \"weight\":99999999999 | spec.weight: cannot be read: expected a whole number, got 99999999999 (out of range)",
      "an object for a list | \"ports\":[{\"name\":\"http\",\"port\":8080}] | \"ports\":{\"name\":\"http\"} | spec.ports: cannot be read: expected a list, got {\"name\":\"http\"}",
      "a string for a selector | \"selector\":{\"matchLabels\":{\"app\":\"orders\"}} | \"selector\":\"app=orders\" | spec.selector: cannot be read: expected an object (LabelSelector), got \"app=orders\"",
      "a list for metadata | \"metadata\":{\"team\":\"payments\"} | \"metadata\":[\"team\"] | spec.metadata: cannot be read: expected an object of strings, got [\"team\"]"})
  void aSpecTheModelCannotMapIsReadAsOneThatSaysWhy(String what, String replace, String with, String reason) {
    ServiceRegistration registration = read(valid(replace, with));
    assertThat(registration.getMetadata().getName()).isEqualTo("orders");
    assertThat(registration.getSpec().unreadable()).contains(reason);
  }

  @Test
  void unknownFieldsAreIgnoredAtEveryLevel() {
    ServiceRegistration registration = JSON.unmarshal("""
        {"apiVersion":"registrar.dev/v1alpha1","kind":"ServiceRegistration","fromANewerVersion":{"a":1},
         "metadata":{"name":"orders","namespace":"shop"},
         "spec":{"serviceName":"orders","junkField":[1,2],"selector":{"matchLabels":{"app":"orders"}},
                 "ports":[{"name":"http","port":8080,"protocol":"TCP"}]},
         "status":{"leaseId":"abc","conditionsV2":{"x":"y"}}}""", ServiceRegistration.class);
    assertThat(registration.getSpec().unreadable()).isEmpty();
    assertThat(registration.getSpec().getPorts()).extracting(PortSpec::getPort).containsExactly(8080);
    assertThat(registration.getStatus().getLeaseId()).isEqualTo("abc");
  }

  @Test
  void aStatusTheModelCannotMapIsReadAsEmptyAndTheSpecStillCounts() {
    ServiceRegistration registration = JSON.unmarshal("""
        {"apiVersion":"registrar.dev/v1alpha1","kind":"ServiceRegistration",
         "metadata":{"name":"orders","namespace":"shop"},
         "spec":{"selector":{"matchLabels":{"app":"orders"}},"ports":[{"name":"http","port":8080}]},
         "status":{"registeredEndpoints":"many","conditions":"none"}}""", ServiceRegistration.class);
    assertThat(registration.getStatus().getRegisteredEndpoints()).isNull();
    assertThat(registration.getSpec().unreadable()).isEmpty();
  }

  @Test
  void aReadableSpecWritesBackAsItWasAndTheReasonIsNeverWritten() {
    String json = JSON.asJson(read(valid("\"weight\":100", "\"weight\":\"heavy\"")));
    assertThat(json).doesNotContain("unreadable").doesNotContain("cannot be read");
    assertThat(JSON.asJson(read(valid("", "")).getSpec())).contains("\"weight\":100", "\"port\":8080");
  }
}
