package dev.registrar.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.LabelSelectors;
import dev.registrar.operator.testing.TestObjects;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistrationsBySelectorTest {

  @Test
  void aRegistrationIsFiledUnderItsSmallestMatchLabelOrItsNamespacesWildcard() {
    assertThat(RegistrationsBySelector.keys(registration("shop", Map.of("tier", "web", "app", "orders"))))
        .containsExactly("shop/app=orders");
    ServiceRegistration expressions = registration("shop", Map.of());
    expressions.getSpec().setSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("app")
        .withOperator("Exists").endMatchExpression().build());
    assertThat(RegistrationsBySelector.keys(expressions)).containsExactly("shop/*");
    ServiceRegistration noSpec = registration("shop", Map.of());
    noSpec.setSpec(null);
    assertThat(RegistrationsBySelector.keys(noSpec)).containsExactly("shop/*");
  }

  @Test
  void aPodIsLookedUpByEachOfItsLabelsAndTheWildcardSoEverySelectorThatMatchesItIsFound() {
    Pod pod = TestObjects.pod("shop", "orders-1", "10.0.0.1", Map.of("app", "orders", "tier", "web"), true);
    assertThat(RegistrationsBySelector.lookups(pod))
        .containsExactlyInAnyOrder("shop/app=orders", "shop/tier=web", "shop/*");
    // Whatever selector matches the Pod, its key is one of the Pod's lookups.
    for (Map<String, String> labels : List.of(Map.of("app", "orders"), Map.of("tier", "web"),
        Map.of("app", "orders", "tier", "web"))) {
      ServiceRegistration registration = registration("shop", labels);
      assertThat(LabelSelectors.matches(registration.getSpec().getSelector(), pod.getMetadata().getLabels())).isTrue();
      assertThat(RegistrationsBySelector.lookups(pod)).containsAll(RegistrationsBySelector.keys(registration));
    }
    // Another namespace's registration is never a candidate.
    assertThat(RegistrationsBySelector.lookups(pod))
        .doesNotContainAnyElementsOf(RegistrationsBySelector.keys(registration("other", Map.of("app", "orders"))));
  }

  static ServiceRegistration registration(String namespace, Map<String, String> matchLabels) {
    return TestObjects.registration(namespace, "r", "r", matchLabels, PortSpec.number("http", 80));
  }
}
