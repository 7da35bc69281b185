package dev.registrar.operator.testing;

import dev.registrar.operator.RegistrarOperator;
import dev.registrar.operator.config.ConfigLoader;
import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.etcd.EtcdClientFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The real operator, in-process, against the mock API and a real etcd; counts its reconciles. */
public final class RunningOperator implements AutoCloseable {

  private final RegistrarOperator operator;
  private final AtomicInteger reconciles = new AtomicInteger();

  /** Leader election as fast as a test wants it, and no System.exit when leadership is lost. */
  static final java.time.Duration LEASE = java.time.Duration.ofSeconds(2);

  private RunningOperator(MockKubernetesApi api, List<String> args) {
    RegistrarConfig config = ConfigLoader.load(args, Map.of());
    Metrics counting = new Metrics() {
      @Override
      public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
        reconciles.incrementAndGet();
      }
    };
    operator = new RegistrarOperator(config, api.client(), EtcdClientFactory.create(config),
        new RegistrarOperator.Tuning(counting, LEASE, java.time.Duration.ofMillis(1500),
            java.time.Duration.ofMillis(400), false));
    operator.start();
  }

  /** Starts the operator with {@code --etcd-endpoints} and an OS-chosen HTTP port, plus {@code args}. */
  public static RunningOperator start(MockKubernetesApi api, String etcdEndpoints, String... args) {
    List<String> all = new ArrayList<>(List.of("--etcd-endpoints", etcdEndpoints, "--http-port", "0"));
    all.addAll(List.of(args));
    return new RunningOperator(api, all);
  }

  /** Reconciles that finished without error since start. */
  public int reconciles() {
    return reconciles.get();
  }

  public dev.registrar.operator.etcd.RegistryCounters counters() {
    return operator.counters();
  }

  public int httpPort() {
    return operator.httpPort();
  }

  @Override
  public void close() {
    operator.close();
  }
}
