package dev.registrar.operator.model;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Condition bookkeeping: lastTransitionTime moves only when a condition's status flips. */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String ENDPOINTS_AVAILABLE = "EndpointsAvailable";
  /** Shared names only: whether the clusters sharing the name register the same ports. */
  public static final String CLUSTER_SET_CONSISTENT = "ClusterSetConsistent";

  private Conditions() {}

  /** The conditions with {@code type} set; the others are kept as they are. */
  public static List<Condition> set(List<Condition> current, String type, boolean status,
      String reason, String message, Long observedGeneration, Instant now) {
    List<Condition> next = new ArrayList<>();
    Optional<Condition> previous = find(current, type);
    String statusText = status ? "True" : "False";
    String lastTransition = previous
        .filter(c -> statusText.equals(c.getStatus()) && c.getLastTransitionTime() != null)
        .map(Condition::getLastTransitionTime)
        .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    Condition condition = new ConditionBuilder()
        .withType(type)
        .withStatus(statusText)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(observedGeneration)
        .withLastTransitionTime(lastTransition)
        .build();
    boolean replaced = false;
    for (Condition c : current == null ? List.<Condition>of() : current) {
      if (type.equals(c.getType())) {
        if (!replaced) {
          next.add(condition);
          replaced = true;
        }
      } else {
        next.add(c);
      }
    }
    if (!replaced) {
      next.add(condition);
    }
    return next;
  }

  /** The conditions without {@code type}. */
  public static List<Condition> without(List<Condition> current, String type) {
    return current == null ? new ArrayList<>()
        : new ArrayList<>(current.stream().filter(c -> !Objects.equals(type, c.getType())).toList());
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> Objects.equals(type, c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
