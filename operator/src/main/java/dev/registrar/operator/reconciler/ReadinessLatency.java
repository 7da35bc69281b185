package dev.registrar.operator.reconciler;

import dev.registrar.operator.metrics.RegistrarMetrics;
import dev.registrar.operator.model.DesiredState;
import dev.registrar.operator.model.Plan;
import dev.registrar.operator.model.ReadinessLatencies;
import dev.registrar.operator.model.StoredKey;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Feeds the readiness latency histograms with what {@link ReadinessLatencies} measures. */
final class ReadinessLatency {

  private final RegistrarMetrics metrics;
  private final Instant startedAt;

  ReadinessLatency(RegistrarMetrics metrics, Instant startedAt) {
    this.metrics = metrics;
    this.startedAt = startedAt;
  }

  /** Records the latency of every key the plan added or removed, now that it is committed. */
  void record(Plan plan, DesiredState desired, Map<String, StoredKey> stored, List<Pod> pods, Instant now) {
    ReadinessLatencies.Measured measured = ReadinessLatencies.of(plan, desired, stored, pods, startedAt, now);
    measured.toRegistration().forEach(metrics::readinessToRegistration);
    measured.toDeregistration().forEach(metrics::readinessToDeregistration);
  }
}
