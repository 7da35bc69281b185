package dev.registrar.operator.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.PodOverrides;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.testing.Examples;
import dev.registrar.operator.testing.Manifests;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.testing.etcd.EtcdExtension;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The examples users apply, applied to the mock API with the operator running against a real
 * etcd: their registrations reconcile to the keys the examples README promises, once the Pods
 * their Deployments would create are ready. (The mock runs no controllers, so the test creates
 * those Pods from each Deployment's template and marks them ready, as the kubelet would.)
 */
class ExamplesIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static OperatorFixture fixture;

  @BeforeAll
  static void start() {
    fixture = OperatorFixture.startForKubectl(ETCD, "--cluster-name", "example");
    // The node the test's Pods run on, in a zone: every value carries it.
    fixture.client.resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("node-1")
        .addToLabels("topology.kubernetes.io/zone", "eu-west-1a").endMetadata().build()).create();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void everyClusterExampleReconcilesToOneKeyPerReadyPodAndPort() throws Exception {
    List<Path> files = Examples.clusterExamples();
    for (int n = 0; n < files.size(); n++) {
      Path file = files.get(n);
      String namespace = file.getFileName().toString().replace(".yaml", "");
      List<HasMetadata> objects = Manifests.parse(file);
      ServiceRegistration registration = Manifests.ofType(objects, ServiceRegistration.class).get(0);
      registration.getMetadata().setNamespace(namespace);
      fixture.client.resource(registration).create();
      List<Pod> pods = new ArrayList<>();
      for (Deployment deployment : Manifests.ofType(objects, Deployment.class)) {
        pods.addAll(podsOf(deployment, namespace, n, pods.size()));
      }
      pods.forEach(pod -> fixture.client.resource(pod).create());

      String service = registration.effectiveServiceName();
      Set<String> expectedKeys = new TreeSet<>();
      for (Pod pod : pods) {
        for (PortSpec port : registration.getSpec().getPorts()) {
          expectedKeys.add("/services/" + service + "/" + pod.getStatus().getPodIP() + ":" + portNumber(pod, port));
        }
      }
      String name = registration.getMetadata().getName();
      // Keys, status and Events all arrive after the keys do: await them together.
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(fixture.etcd.values("/services/" + service + "/").keySet()).as(file.toString())
            .containsExactlyInAnyOrderElementsOf(expectedKeys);
        ServiceRegistration stored = fixture.registration(namespace, name);
        assertThat(stored.getStatus().getRegisteredEndpoints()).isEqualTo(expectedKeys.size());
        assertThat(fixture.condition(namespace, name, "Ready"))
            .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("Synced"));
        assertThat(fixture.condition(namespace, name, "EndpointsAvailable"))
            .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("EndpointsRegistered"));
        // kubectl describe lists the Events whose involvedObject matches name, namespace, kind and uid.
        assertThat(fixture.events(namespace, name, "Registered")).isNotEmpty().allSatisfy(event -> {
          assertThat(event.getInvolvedObject().getKind()).isEqualTo("ServiceRegistration");
          assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("registrar.dev/v1alpha1");
          assertThat(event.getInvolvedObject().getNamespace()).isEqualTo(namespace);
          assertThat(event.getInvolvedObject().getUid()).isEqualTo(stored.getMetadata().getUid());
          assertThat(event.getType()).isEqualTo("Normal");
        });
      });

      var spec = registration.getSpec();
      for (String value : fixture.etcd.values("/services/" + service + "/").values()) {
        EndpointValue endpoint = EndpointCodec.decode(value.getBytes(StandardCharsets.UTF_8));
        Pod pod = pods.stream().filter(p -> p.getMetadata().getName().equals(endpoint.pod())).findFirst().orElseThrow();
        // The registration's values, with the Pod's own annotations over them (the canary's).
        PodOverrides expected = PodOverrides.of(pod.getMetadata().getAnnotations(), spec.getVersion(),
            spec.effectiveWeight(), spec.getMetadata());
        assertThat(expected.ignored()).isEmpty();
        assertThat(endpoint.weight()).isEqualTo(expected.weight());
        assertThat(endpoint.version()).isEqualTo(expected.version());
        assertThat(endpoint.metadata()).isEqualTo(expected.metadata());
        assertThat(endpoint.zone()).isEqualTo("eu-west-1a");
        assertThat(endpoint.owner().cluster()).isEqualTo("example");
        assertThat(endpoint.owner().namespace()).isEqualTo(namespace);
      }
      // A gated Pod turns Ready once its key is in etcd: the operator set its gate.
      for (Pod pod : pods.stream().filter(PodReadiness::hasGate).toList()) {
        await().atMost(Duration.ofSeconds(10)).until(() -> PodReadiness.condition(
            fixture.client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).get(), PodReadiness.GATE)
            .map(c -> "True".equals(c.getStatus())).orElse(false));
      }
      if (pods.stream().anyMatch(PodReadiness::hasGate)) {
        String columns = "NAME:.metadata.name,CONTAINERS-READY:.status.conditions[?(@.type==\"ContainersReady\")].status,"
            + "REGISTERED:.status.conditions[?(@.type==\"registrar.dev/registered\")].status,"
            + "REASON:.status.conditions[?(@.type==\"registrar.dev/registered\")].reason,"
            + "WEIGHT:.metadata.annotations.registrar\\.dev/weight";
        System.out.println("$ kubectl get pods -n " + namespace + " -o custom-columns=" + columns);
        System.out.println(kubectl("get", "pods", "-n", namespace, "-o", "custom-columns=" + columns));
        String message = "jsonpath={.status.conditions[?(@.type==\"registrar.dev/registered\")].message}";
        System.out.println("$ kubectl get pod -n " + namespace + " " + pods.get(pods.size() - 1).getMetadata().getName()
            + " -o " + message);
        System.out.println(kubectl("get", "pod", "-n", namespace, pods.get(pods.size() - 1).getMetadata().getName(),
            "-o", message));
      }
      System.out.printf("%s: %d keys under /services/%s/%n", file.getFileName(), expectedKeys.size(), service);
    }
    System.out.println("$ etcdctl get --prefix /services/ (real etcdctl against the test's etcd)");
    System.out.println(ETCD.etcdctl("get", "--prefix", "/services/"));
  }

  /**
   * The Pods the Deployment would create, running on node-1 with IPs and their containers ready.
   * Ready is True, except where the template lists the readiness gate: there the kubelet keeps
   * Ready False until the gate is True.
   */
  private static List<Pod> podsOf(Deployment deployment, String namespace, int subnet, int first) {
    var template = deployment.getSpec().getTemplate();
    List<Pod> pods = new ArrayList<>();
    for (int i = 1; i <= deployment.getSpec().getReplicas(); i++) {
      Pod pod = new PodBuilder()
          .withNewMetadata().withNamespace(namespace).withName(deployment.getMetadata().getName() + "-" + i)
          .withLabels(template.getMetadata().getLabels()).withAnnotations(template.getMetadata().getAnnotations())
          .endMetadata()
          .withSpec(template.getSpec())
          .editSpec().withNodeName("node-1").endSpec()
          .withNewStatus().withPhase("Running").withPodIP("10.60." + subnet + "." + (first + i))
          .withConditions(new PodConditionBuilder().withType("ContainersReady").withStatus("True")
              .withLastTransitionTime("2026-11-24T00:00:00Z").build())
          .endStatus()
          .build();
      pod.getStatus().getConditions().add(new PodConditionBuilder().withType("Ready")
          .withStatus(PodReadiness.hasGate(pod) ? "False" : "True").withLastTransitionTime("2026-11-24T00:00:00Z").build());
      pods.add(pod);
    }
    return pods;
  }

  /** The real kubectl against the mock API. */
  private static String kubectl(String... args) throws IOException, InterruptedException {
    Path kubeconfig = fixture.api.writeKubeconfig(java.nio.file.Files.createTempFile("kubeconfig", ".yaml"), "default");
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("kubectl " + String.join(" ", args) + ": " + output).isZero();
    return output;
  }

  private static int portNumber(Pod pod, PortSpec port) {
    if (port.getPort() != null) {
      return port.getPort();
    }
    return pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
        .filter(p -> port.getContainerPort().equals(p.getName())).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow();
  }

}
