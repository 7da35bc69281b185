package dev.registrar.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class NamePolicyTest {

  private static Optional<String> byAnnotation(String serviceName, String annotation) {
    return NamePolicy.NAMESPACE_ANNOTATION.problem("sandbox", serviceName, Optional.ofNullable(annotation));
  }

  @Test
  void anyAllowsEveryName() {
    assertThat(NamePolicy.ANY.problem("sandbox", "payments", Optional.empty())).isEmpty();
  }

  @ParameterizedTest(name = "namespace-prefix in sandbox: {0} -> {1}")
  @CsvSource({
      "sandbox, true",
      "sandbox-api, true",
      "sandbox-a-b, true",
      "payments, false",
      "sandboxed, false", // shares the letters, not the namespace's name
      "api-sandbox, false"})
  void namespacePrefixAllowsTheNamespaceAndItsDashedNames(String serviceName, boolean allowed) {
    Optional<String> problem = NamePolicy.NAMESPACE_PREFIX.problem("sandbox", serviceName, Optional.empty());
    assertThat(problem.isEmpty()).isEqualTo(allowed);
    problem.ifPresent(message -> assertThat(message).isEqualTo("service name '" + serviceName
        + "' is not allowed in namespace 'sandbox' by name policy namespace-prefix: the name must be 'sandbox' or "
        + "start with 'sandbox-'"));
  }

  @ParameterizedTest(name = "annotation \"{1}\": {0} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "payments | payments | true",
      "payments | orders, payments | true",
      "payments | ' orders ,payments, ' | true", // spaces and a trailing comma
      "payments | payment | false", // exact means exact
      "payments-api | payments-* | true",
      "payments-eu-1 | payments-* | true",
      "payments | payments-* | false", // the glob needs something after its prefix
      "paymentsx | payments-* | false",
      "team-a | team-* | true",
      "teams | team* | true", // any DNS-label start may be a prefix
      "team | team* | false", // and the glob still needs something after it
      "ab | a* | true", // the shortest glob
      "other | team-*, orders | false"})
  void namespaceAnnotationGrantsExactNamesAndPrefixGlobs(String serviceName, String annotation, boolean allowed) {
    assertThat(byAnnotation(serviceName, annotation).isEmpty()).isEqualTo(allowed);
  }

  @Test
  void aNamespaceWithoutTheAnnotationGrantsNothingAndTheMessageSaysHowToGrant() {
    assertThat(byAnnotation("payments", null)).contains("service name 'payments' is not allowed in namespace "
        + "'sandbox' by name policy namespace-annotation: Namespace 'sandbox' has no annotation "
        + "registrar.dev/allowed-service-names; a cluster admin grants the name with: kubectl annotate namespace "
        + "sandbox registrar.dev/allowed-service-names=payments");
  }

  @Test
  void anEmptyAnnotationGrantsNothing() {
    for (String empty : new String[] {"", "  ", ",", " , "}) {
      assertThat(byAnnotation("payments", empty)).hasValueSatisfying(message -> assertThat(message)
          .contains("the annotation registrar.dev/allowed-service-names of Namespace 'sandbox' grants no name;"));
    }
  }

  @Test
  void aMalformedEntryIsIgnoredAndNamedWhileTheOthersStillGrant() {
    String annotation = "orders, *, pay*ments, Payments, a/b, -x*, orders-*";
    assertThat(AllowedNames.parse(annotation)).isEqualTo(new AllowedNames(
        java.util.List.of("orders"), java.util.List.of("orders-"),
        java.util.List.of("*", "pay*ments", "Payments", "a/b", "-x*")));
    assertThat(byAnnotation("orders", annotation)).isEmpty();
    assertThat(byAnnotation("orders-api", annotation)).isEmpty();
    // A glob never matches what the name rule forbids, and "*" grants nothing.
    assertThat(byAnnotation("payments", annotation)).hasValue("service name 'payments' is not allowed in namespace "
        + "'sandbox' by name policy namespace-annotation: the annotation registrar.dev/allowed-service-names of "
        + "Namespace 'sandbox' grants only orders, orders-* (ignored, being neither a name nor a 'prefix-*' glob: "
        + "'*', 'pay*ments', 'Payments', 'a/b', '-x*'); a cluster admin grants the name by adding it, or a glob "
        + "such as 'payments-*', to that comma-separated list");
  }

  @Test
  void onlyTheAnnotationPolicyReadsNamespaces() {
    assertThat(NamePolicy.ANY.readsNamespaces()).isFalse();
    assertThat(NamePolicy.NAMESPACE_PREFIX.readsNamespaces()).isFalse();
    assertThat(NamePolicy.NAMESPACE_ANNOTATION.readsNamespaces()).isTrue();
    assertThat(NamePolicy.parse(" Namespace-Annotation ")).contains(NamePolicy.NAMESPACE_ANNOTATION);
    assertThat(NamePolicy.parse("namespace")).isEmpty();
  }

  @Test
  void thePoliciesAreNamedAsConfigured() {
    assertThat(NamePolicy.texts()).containsExactly(java.util.Arrays.stream(NamePolicy.values()).map(NamePolicy::text)
        .toArray(String[]::new)).contains("any", "namespace-prefix", "namespace-annotation");
  }
}
