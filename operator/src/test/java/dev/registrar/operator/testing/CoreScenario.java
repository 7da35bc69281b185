package dev.registrar.operator.testing;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;

/**
 * The core loop in one pass, for tests that change how the operator reaches etcd: two ready Pods
 * registered under one lease with their claim, one turns unready and is deregistered, the
 * registration is deleted and its lease revoked.
 */
public final class CoreScenario {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private CoreScenario() {}

  public static void run(KubernetesClient client, EtcdView etcd, String namespace, String service) {
    Map<String, String> labels = Map.of("app", service);
    client.resource(pod(namespace, service + "-1", "10.8.0.1", labels, true)).create();
    client.resource(pod(namespace, service + "-2", "10.8.0.2", labels, true)).create();
    client.resource(registration(namespace, service, service, labels, PortSpec.number("http", 80))).create();
    String path = "/services/" + service + "/";
    await().atMost(WAIT).untilAsserted(() -> assertThat(etcd.values(path))
        .containsOnlyKeys(path + "10.8.0.1:80", path + "10.8.0.2:80"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(status(client, namespace, service).getLeaseId()).isNotNull());
    long lease = Long.parseUnsignedLong(status(client, namespace, service).getLeaseId(), 16);
    assertThat(etcd.leaseKeys(lease)).containsExactly(
        "/registrar/claims/" + service, path + "10.8.0.1:80", path + "10.8.0.2:80");

    client.pods().inNamespace(namespace).withName(service + "-2").editStatus(p -> {
      p.getStatus().getConditions().forEach(c -> c.setStatus("False"));
      return p;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(etcd.values(path)).containsOnlyKeys(path + "10.8.0.1:80"));

    client.resources(ServiceRegistration.class).inNamespace(namespace).withName(service).delete();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(client.resources(ServiceRegistration.class).inNamespace(namespace).withName(service).get()).isNull();
      assertThat(etcd.values(path)).isEmpty();
      assertThat(etcd.lease(lease).getTTL()).isEqualTo(-1);
    });
  }

  private static dev.registrar.operator.customresource.ServiceRegistrationStatus status(
      KubernetesClient client, String namespace, String name) {
    ServiceRegistration registration = client.resources(ServiceRegistration.class).inNamespace(namespace).withName(name).get();
    return registration.getStatus() == null ? new dev.registrar.operator.customresource.ServiceRegistrationStatus()
        : registration.getStatus();
  }
}
