package dev.registrar.operator.model;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/** Client-side evaluation of a metav1.LabelSelector, with the API server's semantics. */
public final class LabelSelectors {

  private LabelSelectors() {}

  /**
   * Whether {@code labels} match. A null or empty selector matches nothing here: an empty
   * selector is a spec error for a registration, never "every Pod".
   */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (isEmpty(selector)) {
      return false;
    }
    Map<String, String> actual = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> required : selector.getMatchLabels().entrySet()) {
        if (!required.getValue().equals(actual.get(required.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
        if (!matches(requirement, actual)) {
          return false;
        }
      }
    }
    return true;
  }

  public static boolean isEmpty(LabelSelector selector) {
    return selector == null
        || (isNullOrEmpty(selector.getMatchLabels()) && isNullOrEmpty(selector.getMatchExpressions()));
  }

  private static boolean matches(LabelSelectorRequirement requirement, Map<String, String> labels) {
    String value = labels.get(requirement.getKey());
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    String operator = requirement.getOperator() == null ? "" : requirement.getOperator();
    return switch (operator) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> labels.containsKey(requirement.getKey());
      case "DoesNotExist" -> !labels.containsKey(requirement.getKey());
      default -> false; // an unknown operator selects nothing; validation reports it
    };
  }

  private static boolean isNullOrEmpty(Map<?, ?> map) {
    return map == null || map.isEmpty();
  }

  private static boolean isNullOrEmpty(List<?> list) {
    return list == null || list.isEmpty();
  }
}
