package dev.registrar.operator.testing;

import dev.registrar.testing.kubernetes.MockKubernetesApi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.testing.etcd.EtcdExtension;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What an operator IT stands on: the mock API, a view of the real etcd, and the operator running
 * in-process against both; plus the questions tests ask of a registration.
 */
public final class OperatorFixture implements AutoCloseable {

  public final MockKubernetesApi api;
  public final KubernetesClient client;
  public final EtcdView etcd;
  private final String endpoints;
  private final String[] args;
  private RunningOperator operator;

  private OperatorFixture(EtcdExtension etcd, String endpoints, String... args) {
    this(MockKubernetesApi.start(), etcd, endpoints, args);
  }

  private OperatorFixture(MockKubernetesApi api, EtcdExtension etcd, String endpoints, String... args) {
    this.api = api;
    this.client = api.client();
    this.etcd = new EtcdView(etcd.client());
    this.endpoints = endpoints;
    this.args = args;
    this.operator = RunningOperator.start(api, endpoints, args);
  }

  /** A fresh mock API and a running operator with {@code args}. */
  public static OperatorFixture start(EtcdExtension etcd, String... args) {
    return new OperatorFixture(etcd, etcd.endpointList(), args);
  }

  /**
   * The same, on a mock API that has a Namespace kube-system, as every real cluster does: its UID
   * is the cluster's ID, so the operator checks that its cluster name is its own in the registry.
   */
  public static OperatorFixture startInCluster(EtcdExtension etcd, String... args) {
    MockKubernetesApi api = MockKubernetesApi.start();
    api.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
        .withNewMetadata().withName("kube-system").endMetadata().build()).create();
    return new OperatorFixture(api, etcd, etcd.endpointList(), args);
  }

  /** The UID of its kube-system Namespace: the cluster's ID. */
  public String clusterId() {
    return client.namespaces().withName("kube-system").get().getMetadata().getUid();
  }

  /** The same, on a mock API that the real kubectl can use (it serves discovery). */
  public static OperatorFixture startForKubectl(EtcdExtension etcd, String... args) {
    return new OperatorFixture(MockKubernetesApi.startForKubectl(), etcd, etcd.endpointList(), args);
  }

  /** The same, with the operator reaching etcd at {@code endpoints} (a proxy); the test's view goes direct. */
  public static OperatorFixture startVia(EtcdExtension etcd, String endpoints, String... args) {
    return new OperatorFixture(etcd, endpoints, args);
  }

  public RunningOperator operator() {
    return operator;
  }

  public void stopOperator() {
    operator.close();
    operator = null;
  }

  public RunningOperator startOperator() {
    operator = RunningOperator.start(api, endpoints, args);
    return operator;
  }

  public ServiceRegistration registration(String namespace, String name) {
    return client.resources(ServiceRegistration.class).inNamespace(namespace).withName(name).get();
  }

  public Optional<Condition> condition(String namespace, String name, String type) {
    ServiceRegistration current = registration(namespace, name);
    if (current == null || current.getStatus() == null) {
      return Optional.empty();
    }
    return current.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst();
  }

  public void awaitReady(String namespace, String name, String status, String reason, Duration within) {
    await().atMost(within).untilAsserted(() -> assertThat(condition(namespace, name, "Ready"))
        .hasValueSatisfying(c -> {
          assertThat(c.getStatus()).isEqualTo(status);
          assertThat(c.getReason()).isEqualTo(reason);
        }));
  }

  /** The registration's lease, from its status. */
  public long lease(String namespace, String name) {
    return Long.parseUnsignedLong(registration(namespace, name).getStatus().getLeaseId(), 16);
  }

  public List<Event> events(String namespace, String name, String reason) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> e.getInvolvedObject().getName().equals(name) && e.getReason().equals(reason))
        .toList();
  }

  @Override
  public void close() {
    if (operator != null) {
      operator.close();
    }
    api.close();
  }
}
