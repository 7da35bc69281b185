package dev.registrar.operator.metrics;

import dev.registrar.operator.etcd.EtcdCalls;
import dev.registrar.operator.etcd.RegistryCounters;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything {@code /metrics} shows: JOSDK's reconcile metrics, JVM metrics, and Registrar's own
 * {@code registrar_*} meters.
 */
public final class RegistrarMetrics implements EtcdCalls {

  /** etcd calls, timed by kind. */

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<ResourceID, AtomicInteger> endpoints = new ConcurrentHashMap<>();
  private final Map<ResourceID, Meter> endpointGauges = new ConcurrentHashMap<>();
  private final Map<EtcdCalls.Operation, Timer> etcdTimers = new ConcurrentHashMap<>();
  private final Counter conflicts;
  private final Timer registered;
  private final Timer deregistered;
  private final Metrics josdk;
  private final Timer gateTrue;

  public RegistrarMetrics(RegistryCounters counters) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    FunctionCounter.builder("registrar.lease.regrants", counters.leaseRegrants, Number::doubleValue)
        .description("new leases granted because etcd no longer had a registration's lease").register(registry);
    FunctionCounter.builder("registrar.keepalive.errors", counters.keepaliveErrors, Number::doubleValue)
        .description("keepalive stream errors (renewals resume if etcd returns within the TTL)").register(registry);
    FunctionCounter.builder("registrar.drift.repairs", counters.driftRepairs, Number::doubleValue)
        .description("changes in etcd not made by the operator that made a registration reconcile").register(registry);
    FunctionCounter.builder("registrar.watch.resyncs", counters.watchResyncs, Number::doubleValue)
        .description("registry watches rebuilt by a full read (compaction, watch errors)").register(registry);
    conflicts = Counter.builder("registrar.conflicts")
        .description("registrations that found their service name claimed by another").register(registry);
    registered = latency("registered");
    deregistered = latency("deregistered");
    gateTrue = Timer.builder("registrar.readiness.gate")
        .description("time from a gated Pod's ContainersReady to its condition registrar.dev/registered turning True")
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry);
    josdk = MicrometerMetrics.withoutPerResourceMetrics(registry);
  }

  private Timer latency(String change) {
    return Timer.builder("registrar.readiness.to.registration")
        .description("time from a Pod's Ready condition (or deletion) to the etcd commit that registered or deregistered it")
        .tags("change", change)
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry);
  }

  /** {@code registrar_etcd_up}: 1 while etcd answers the health probe, 0 during an outage. */
  public void etcdUp(java.util.function.BooleanSupplier up) {
    Gauge.builder("registrar.etcd.up", () -> up.getAsBoolean() ? 1 : 0)
        .description("1 while etcd answers the operator's health probe, 0 while it is declared unreachable")
        .register(registry);
  }

  /** For JOSDK: reconcile counts, durations and queue sizes. */
  public Metrics josdk() {
    return josdk;
  }

  @Override
  public void completed(EtcdCalls.Operation operation, long nanos) {
    etcdTimers.computeIfAbsent(operation, op -> Timer.builder("registrar.etcd.operation")
        .description("latency of etcd calls by operation")
        .tags("operation", op.name().toLowerCase(java.util.Locale.ROOT))
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** The keys a registration has in etcd now. */
  public void registeredEndpoints(ResourceID registration, int count) {
    endpoints.computeIfAbsent(registration, id -> {
      AtomicInteger value = new AtomicInteger();
      endpointGauges.put(id, Gauge.builder("registrar.registered.endpoints", value, AtomicInteger::get)
          .description("keys a registration has in etcd now")
          .tags(Tags.of("namespace", id.getNamespace().orElse(""), "name", id.getName()))
          .register(registry));
      return value;
    }).set(count);
  }

  public void registrationGone(ResourceID registration) {
    endpoints.remove(registration);
    Meter gauge = endpointGauges.remove(registration);
    if (gauge != null) {
      registry.remove(gauge);
    }
  }

  public void conflict() {
    conflicts.increment();
  }

  public void readinessToRegistration(Duration latency) {
    registered.record(latency);
  }

  /** {@code registrar_readiness_gate_seconds}: ContainersReady to the gate's True, written. */
  public void readinessGate(Duration latency) {
    gateTrue.record(latency);
  }

  public void readinessToDeregistration(Duration latency) {
    deregistered.record(latency);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  /** Calls to etcd's KV and lease APIs so far (each one round trip; keepalive streams aside). */
  public long etcdCalls() {
    return etcdTimers.values().stream().mapToLong(Timer::count).sum();
  }

  /** Successful reconciles so far (every controller). */
  public double reconcilesSucceeded() {
    return registry.find("operator.sdk.reconciliations.success").counters().stream()
        .mapToDouble(Counter::count).sum();
  }
}
