package dev.registrar.operator.reconciler;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.etcd.EtcdExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** REGISTRAR_WATCH_NAMESPACES: registrations elsewhere are not this operator's business. */
class WatchNamespacesIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  @Test
  void onlyTheWatchedNamespacesAreReconciled() {
    Map<String, String> app = Map.of("app", "web");
    try (MockKubernetesApi api = MockKubernetesApi.start();
         RunningOperator operator = RunningOperator.start(api, ETCD.endpointList(), "--watch-namespaces", "team-a")) {
      KubernetesClient client = api.client();
      EtcdView etcd = new EtcdView(ETCD.client());
      for (String ns : new String[] {"team-a", "team-b"}) {
        client.resource(pod(ns, "web-1", ns.equals("team-a") ? "10.2.0.1" : "10.2.0.2", app, true)).create();
        client.resource(registration(ns, "web", "web-" + ns, app, PortSpec.number("http", 80))).create();
      }

      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(etcd.values("/services/web-team-a/")).containsOnlyKeys("/services/web-team-a/10.2.0.1:80"));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client
          .resources(ServiceRegistration.class).inNamespace("team-a").withName("web").get().getStatus()).isNotNull());
      // Throughout 3 s more (team-a took well under 1 s): team-b gets no key, status or finalizer.
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(etcd.values("/services/web-team-b/")).isEmpty();
        ServiceRegistration ignored = client.resources(ServiceRegistration.class).inNamespace("team-b").withName("web").get();
        assertThat(ignored.getStatus()).isNull();
        assertThat(ignored.getMetadata().getFinalizers()).isEmpty();
      });
    }
  }
}
