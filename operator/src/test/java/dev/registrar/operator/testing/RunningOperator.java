package dev.registrar.operator.testing;

import dev.registrar.testing.kubernetes.MockKubernetesApi;
import dev.registrar.operator.RegistrarOperator;
import dev.registrar.operator.config.ConfigLoader;
import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.etcd.EtcdClientFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real operator, in-process, against the mock API and a real etcd. */
public final class RunningOperator implements AutoCloseable {

  private final RegistrarOperator operator;

  /** Leader election as fast as a test wants it (the operator itself never calls System.exit). */
  static final java.time.Duration LEASE = java.time.Duration.ofSeconds(2);

  private RunningOperator(io.fabric8.kubernetes.client.KubernetesClient kubernetes, List<String> args) {
    RegistrarConfig config = ConfigLoader.load(args, Map.of());
    operator = new RegistrarOperator(config, kubernetes, EtcdClientFactory.create(config),
        new RegistrarOperator.Tuning(LEASE, java.time.Duration.ofMillis(1500),
            java.time.Duration.ofMillis(400)));
    operator.start();
  }

  /** Starts the operator with {@code --etcd-endpoints} and an OS-chosen HTTP port, plus {@code args}. */
  public static RunningOperator start(MockKubernetesApi api, String etcdEndpoints, String... args) {
    List<String> all = new ArrayList<>(List.of("--etcd-endpoints", etcdEndpoints, "--http-port", "0"));
    all.addAll(List.of(args));
    return new RunningOperator(api.client(), all);
  }

  /** The same, with a Kubernetes client of the caller's (one whose requests it can tell apart). */
  public static RunningOperator start(io.fabric8.kubernetes.client.KubernetesClient kubernetes, String etcdEndpoints,
      String... args) {
    List<String> all = new ArrayList<>(List.of("--etcd-endpoints", etcdEndpoints, "--http-port", "0"));
    all.addAll(List.of(args));
    return new RunningOperator(kubernetes, all);
  }

  /**
   * Waits until the reconcile count has not moved for a second (the echo of the last status
   * patch included), so that a test can tell the reconciles it causes from earlier ones.
   */
  public int awaitSettled() {
    java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger(-1);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).pollInterval(java.time.Duration.ofSeconds(1))
        .until(() -> seen.getAndSet(reconciles()) == reconciles());
    return reconciles();
  }

  /** Reconciles that finished without error since start, as JOSDK's metrics count them. */
  public int reconciles() {
    return (int) operator.metrics().reconcilesSucceeded();
  }

  /** Round trips to etcd's KV and lease APIs so far. */
  public long etcdCalls() {
    return operator.metrics().etcdCalls();
  }

  public dev.registrar.operator.etcd.RegistryCounters counters() {
    return operator.counters();
  }

  public int httpPort() {
    return operator.httpPort();
  }

  /** The status code of GET /readyz. */
  public int readyz() {
    try {
      return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + httpPort() + "/readyz")).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    operator.close();
  }
}
