package dev.registrar.operator.model;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.ServiceClaims;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Readiness-to-registration latency, the pure half: from a Pod's Ready transition (ContainersReady
 * for a Pod with the readiness gate) or its deletion to just after the commit that registered or deregistered it. Only transitions this
 * process saw happen count: a Pod ready for days before the operator started says nothing about
 * the operator's speed.
 */
public final class ReadinessLatencies {

  private ReadinessLatencies() {}

  /** @param toRegistration one per key added; @param toDeregistration one per key removed */
  public record Measured(List<Duration> toRegistration, List<Duration> toDeregistration) {}

  /**
   * The latency of every key the plan added or removed, now that it is committed.
   *
   * @param stored what the store held when the plan was made
   * @param startedAt when this process started: earlier transitions are not its doing
   */
  public static Measured of(Plan plan, DesiredState desired, Map<String, StoredKey> stored, List<Pod> pods,
      Instant startedAt, Instant now) {
    List<Duration> toRegistration = new ArrayList<>();
    List<Duration> toDeregistration = new ArrayList<>();
    Map<String, Pod> byName = pods.stream()
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p, (a, b) -> a));
    for (Plan.Put put : plan.puts()) {
      var endpoint = desired.endpoints().get(put.key());
      if (put.expectedModRevision() == 0 && endpoint != null) {
        since(readyTransition(byName.get(endpoint.value().pod()), true), startedAt, now)
            .ifPresent(toRegistration::add);
      }
    }
    for (Plan.Delete delete : plan.deletes()) {
      StoredKey before = stored.get(delete.key());
      if (before == null || ServiceClaims.isClaimKey(delete.key())) {
        continue;
      }
      try {
        Pod pod = byName.get(EndpointCodec.decode(before.value()).pod());
        Optional<Instant> at = pod == null ? Optional.empty()
            : pod.getMetadata().getDeletionTimestamp() != null
                ? parse(pod.getMetadata().getDeletionTimestamp()) : readyTransition(pod, false);
        since(at, startedAt, now).ifPresent(toDeregistration::add);
      } catch (EndpointCodec.MalformedValueException e) {
        // An owned key always decodes; nothing to measure otherwise.
      }
    }
    return new Measured(toRegistration, toDeregistration);
  }

  /**
   * For a gated Pod whose condition registrar.dev/registered was just written True: the time
   * since its containers turned ready, by the same rule (only transitions this process saw).
   */
  public static Optional<Duration> toGate(Pod pod, Instant startedAt, Instant now) {
    return since(PodReadiness.condition(pod, "ContainersReady").filter(c -> "True".equals(c.getStatus()))
        .flatMap(c -> parse(c.getLastTransitionTime())), startedAt, now);
  }

  private static Optional<Duration> since(Optional<Instant> at, Instant startedAt, Instant now) {
    return at.filter(t -> !t.isBefore(startedAt.minusSeconds(1)) && !t.isAfter(now))
        .map(t -> Duration.between(t, now));
  }

  private static Optional<Instant> readyTransition(Pod pod, boolean ready) {
    if (pod == null || pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream()
        // A gated Pod is registered on ContainersReady: its Ready waits for us.
        .filter(c -> PodReadiness.readinessCondition(pod, true).equals(c.getType())
            && (ready ? "True" : "False").equals(c.getStatus()))
        .findFirst().flatMap(c -> parse(c.getLastTransitionTime()));
  }

  private static Optional<Instant> parse(String timestamp) {
    try {
      return timestamp == null ? Optional.empty() : Optional.of(Instant.parse(timestamp));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
