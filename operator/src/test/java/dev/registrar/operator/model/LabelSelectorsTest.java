package dev.registrar.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorsTest {

  static LabelSelector expression(String operator, String... values) {
    return new LabelSelectorBuilder().withMatchExpressions(new LabelSelectorRequirementBuilder()
        .withKey("tier").withOperator(operator).withValues(values).build()).build();
  }

  @Test
  void matchLabelsMustAllBePresentWithTheirValues() {
    LabelSelector selector = new LabelSelectorBuilder().withMatchLabels(Map.of("app", "a", "tier", "web")).build();
    assertThat(LabelSelectors.matches(selector, Map.of("app", "a", "tier", "web", "x", "y"))).isTrue();
    assertThat(LabelSelectors.matches(selector, Map.of("app", "a"))).isFalse();
    assertThat(LabelSelectors.matches(selector, Map.of("app", "a", "tier", "db"))).isFalse();
    assertThat(LabelSelectors.matches(selector, null)).isFalse();
  }

  @Test
  void expressionsFollowTheApiServersSemantics() {
    assertThat(LabelSelectors.matches(expression("In", "web", "api"), Map.of("tier", "api"))).isTrue();
    assertThat(LabelSelectors.matches(expression("In", "web"), Map.of())).isFalse();
    assertThat(LabelSelectors.matches(expression("NotIn", "web"), Map.of("tier", "db"))).isTrue();
    assertThat(LabelSelectors.matches(expression("NotIn", "web"), Map.of())).isTrue();
    assertThat(LabelSelectors.matches(expression("NotIn", "web"), Map.of("tier", "web"))).isFalse();
    assertThat(LabelSelectors.matches(expression("Exists"), Map.of("tier", ""))).isTrue();
    assertThat(LabelSelectors.matches(expression("Exists"), Map.of())).isFalse();
    assertThat(LabelSelectors.matches(expression("DoesNotExist"), Map.of())).isTrue();
    assertThat(LabelSelectors.matches(expression("DoesNotExist"), Map.of("tier", "x"))).isFalse();
    assertThat(LabelSelectors.matches(expression("Gt", "1"), Map.of("tier", "2"))).isFalse();
  }

  @Test
  void anEmptySelectorMatchesNothingRatherThanEverything() {
    assertThat(LabelSelectors.matches(null, Map.of("a", "b"))).isFalse();
    assertThat(LabelSelectors.matches(new LabelSelector(), Map.of("a", "b"))).isFalse();
    assertThat(LabelSelectors.isEmpty(new LabelSelectorBuilder().withMatchLabels(Map.of()).build())).isTrue();
  }
}
