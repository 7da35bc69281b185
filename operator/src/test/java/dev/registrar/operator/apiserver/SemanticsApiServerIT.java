package dev.registrar.operator.apiserver;

import static dev.registrar.operator.testing.TestObjects.gatedPod;
import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.etcd.RegistryCounters;
import dev.registrar.operator.metrics.RegistrarMetrics;
import dev.registrar.operator.model.GateCondition;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.reconciler.PodStatusGateWriter;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import dev.registrar.testing.kubernetes.RealKubeApiServer.AuditEvent;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API semantics a mock cannot show, against a real kube-apiserver: the readiness gate's JSON
 * Patch meeting a Pod that changed under it (the API server answers 422 to the failed
 * {@code test}), status written only through the status subresource, and the finalizer holding a
 * deleted registration until etcd confirms the cleanup.
 */
class SemanticsApiServerIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NAMESPACE = "semantics";
  static final String ADMIN = "kubeapitest";
  static final Map<String, String> LABELS = Map.of("app", "sem");
  static final ResourceDefinitionContext REGISTRATIONS = new ResourceDefinitionContext.Builder()
      .withGroup("registrar.dev").withVersion("v1alpha1").withPlural("serviceregistrations").withKind("ServiceRegistration")
      .withNamespaced(true).build();

  private static RealKubeApiServer api;
  private static KubernetesClient client;
  private static RunningOperator operator;
  private static EtcdView etcd;

  @BeforeAll
  static void start() {
    api = RealKubeApiServer.shared();
    RealCluster.installCrd(api);
    api.namespace(NAMESPACE);
    client = api.client();
    etcd = new EtcdView(ETCD.client());
    operator = RunningOperator.start(client, ETCD.endpointList(), "--watch-namespaces", NAMESPACE,
        "--name-policy", "any", "--topology", "false");
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void theGatesPatchOnAPodChangedUnderItGets422AndIsWrittenAfterAFreshRead() {
    // The writer alone, in a namespace the operator does not watch: the stale copy is the test's.
    String namespace = "semantics-gate";
    api.namespace(namespace);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      PodStatusGateWriter writer = new PodStatusGateWriter(client, executor, Clock.systemUTC(),
          new RegistrarMetrics(new RegistryCounters()));
      KubeletStandIn.run(client, gatedPod(namespace, "gated", "10.51.0.9", LABELS, true));
      writer.write(client.pods().inNamespace(namespace).withName("gated").get(),
          new GateCondition(false, "NotSelected", "no ServiceRegistration selects it"));
      await().atMost(Duration.ofSeconds(10)).until(() -> "NotSelected".equals(gate(namespace, "gated").getReason()));
      Pod stale = client.pods().inNamespace(namespace).withName("gated").get();
      // The kubelet inserts a condition in front: the gate's index in the stale copy is wrong.
      client.pods().inNamespace(namespace).withName("gated").editStatus(p -> {
        p.getStatus().getConditions().add(0, new PodConditionBuilder().withType("Initialized").withStatus("True")
            .withLastTransitionTime("2026-11-24T00:00:00Z").build());
        return p;
      });

      writer.write(stale, new GateCondition(true, "Registered", "registered in etcd"));

      await().atMost(Duration.ofSeconds(10)).until(() -> "True".equals(gate(namespace, "gated").getStatus()));
      Pod after = client.pods().inNamespace(namespace).withName("gated").get();
      assertThat(after.getStatus().getConditions()).extracting(c -> c.getType() + "=" + c.getStatus())
          .containsExactly("Initialized=True", "PodScheduled=True", "ContainersReady=True", "Ready=False",
              PodReadiness.GATE + "=True");
      assertThat(after.getStatus().getPodIP()).isEqualTo("10.51.0.9");
      List<AuditEvent> patches = api.audit(ADMIN).stream()
          .filter(e -> e.verb().equals("patch") && namespace.equals(e.namespace()) && "status".equals(e.subresource()))
          .toList();
      // The kubelet stand-in's status writes are patches too (200); the stale replace is the one 422,
      // and the write after the fresh read is the last.
      assertThat(patches).extracting(AuditEvent::code).as("the API server's answers to status patches in %s", namespace)
          .endsWith(422, 200).filteredOn(code -> code == 422).hasSize(1);
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void statusIsWrittenOnlyThroughItsSubresourceAndSurvivesAUsersSpecChange() {
    KubeletStandIn.run(client, pod(NAMESPACE, "sem-1", "10.51.0.1", LABELS, true));
    client.resource(registration(NAMESPACE, "sem", "sem", LABELS, PortSpec.number("http", 8080))).create();
    await().atMost(Duration.ofSeconds(15)).until(() -> "True".equals(ready("sem").getStatus()));

    // A user's update of the whole object, status included: the API server keeps the spec and
    // ignores the status (the mock would have overwritten it).
    ServiceRegistration edited = client.resources(ServiceRegistration.class).inNamespace(NAMESPACE).withName("sem").get();
    edited.getSpec().setWeight(40);
    edited.getStatus().setRegisteredEndpoints(99);
    edited.getStatus().getConditions().forEach(c -> c.setStatus("False"));
    client.resource(edited).update();

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      ServiceRegistration stored = client.resources(ServiceRegistration.class).inNamespace(NAMESPACE).withName("sem").get();
      assertThat(stored.getStatus().getObservedGeneration()).isEqualTo(2L);
      assertThat(stored.getStatus().getRegisteredEndpoints()).isEqualTo(1);
      assertThat(etcd.values("/services/sem/").values()).allMatch(v -> v.contains("\"weight\":40"));
    });
    assertThat(api.audit(ADMIN).stream().filter(e -> "sem".equals(e.name()) && "update".equals(e.verb())
        && e.subresource().isEmpty())).as("the user's update").isNotEmpty();
  }

  @Test
  void aDeletedRegistrationStaysWithItsDeletionTimestampUntilEtcdConfirmsTheCleanup() {
    KubeletStandIn.run(client, pod(NAMESPACE, "fin-1", "10.51.0.21", Map.of("app", "fin"), true));
    client.resource(registration(NAMESPACE, "fin", "fin", Map.of("app", "fin"), PortSpec.number("http", 8080))).create();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(etcd.values("/services/fin/")).hasSize(1));

    ETCD.etcd().member(0).stop();
    try {
      client.resources(ServiceRegistration.class).inNamespace(NAMESPACE).withName("fin").delete();
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        ServiceRegistration held = client.resources(ServiceRegistration.class).inNamespace(NAMESPACE).withName("fin").get();
        assertThat(held).as("held by its finalizer while etcd is away").isNotNull();
        assertThat(held.getMetadata().getDeletionTimestamp()).isNotBlank();
        assertThat(held.getMetadata().getFinalizers()).contains("serviceregistrations.registrar.dev/finalizer");
      });
    } finally {
      ETCD.etcd().member(0).start();
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(client.resources(ServiceRegistration.class).inNamespace(NAMESPACE).withName("fin").get()).isNull();
      assertThat(etcd.values("/services/fin/")).isEmpty();
    });
  }

  @Test
  void objectsOfANewerCrdWithFieldsThisVersionDoesNotKnowAreServedAndLengthsCountAsTheApiServerCounts() {
    // A newer CRD (as after an operator rollback, or before the Deployment rolled): the same
    // version with a field more in the spec and in each port. The API server keeps them.
    CustomResourceDefinition newer = Serialization.unmarshal(api.kubectl("get", "crd", RealCluster.CRD_NAME, "-o", "json")
        .ok().out(), CustomResourceDefinition.class);
    JSONSchemaProps spec = newer.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    spec.getProperties().put("protocol", new JSONSchemaPropsBuilder().withType("string").build());
    spec.getProperties().get("ports").getItems().getSchema().getProperties()
        .put("appProtocol", new JSONSchemaPropsBuilder().withType("string").build());
    newer.getMetadata().setManagedFields(null);
    client.resource(newer).update();
    try {
      KubeletStandIn.run(client, pod(NAMESPACE, "newer-1", "10.51.0.31", Map.of("app", "newer"), true));
      servedByThisVersion();
    } finally {
      // Back to the CRD as shipped, for the classes after this one.
      api.kubectl("replace", "-f", RealCluster.CRD.toString()).ok();
    }
  }

  private static void servedByThisVersion() {
    String rocket = "\uD83D\uDE80";
    GenericKubernetesResource object = Serialization.unmarshal("""
        {"apiVersion":"registrar.dev/v1alpha1","kind":"ServiceRegistration",
         "metadata":{"name":"newer","namespace":"%s"},
         "spec":{"serviceName":"newer","protocol":"grpc","version":"%s",
                 "selector":{"matchLabels":{"app":"newer"}},
                 "ports":[{"name":"grpc","port":9090,"appProtocol":"h2"}]}}""".formatted(NAMESPACE, rocket.repeat(64)),
        GenericKubernetesResource.class);
    // The new schema takes a moment to be served: until then the API server would prune the fields.
    await().atMost(Duration.ofSeconds(30)).until(() -> client.genericKubernetesResources(REGISTRATIONS)
        .inNamespace(NAMESPACE).resource(object).dryRun().create().getAdditionalProperties().get("spec").toString()
        .contains("appProtocol=h2"));
    client.genericKubernetesResources(REGISTRATIONS).inNamespace(NAMESPACE).resource(object).create();
    assertThat(client.genericKubernetesResources(REGISTRATIONS).inNamespace(NAMESPACE).withName("newer").get()
        .getAdditionalProperties().get("spec").toString()).contains("protocol=grpc", "appProtocol=h2");

    // Served by this version: the unknown fields ignored, 64 emoji taken as the 64 characters the API server counted.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(etcd.values("/services/newer/")).containsOnlyKeys("/services/newer/10.51.0.31:9090");
      assertThat(ready("newer").getStatus()).isEqualTo("True");
    });
    assertThat(etcd.values("/services/newer/").values()).extracting(v -> dev.registrar.client.EndpointCodec
        .decode(v.getBytes(java.nio.charset.StandardCharsets.UTF_8)).version()).containsExactly(rocket.repeat(64));
  }

  private static io.fabric8.kubernetes.api.model.PodCondition gate(String namespace, String pod) {
    return PodReadiness.condition(client.pods().inNamespace(namespace).withName(pod).get(), PodReadiness.GATE)
        .orElse(new PodConditionBuilder().withType(PodReadiness.GATE).withStatus("(none)").build());
  }

  private static Condition ready(String name) {
    ServiceRegistration registration = client.resources(ServiceRegistration.class).inNamespace(NAMESPACE).withName(name).get();
    return registration.getStatus() == null || registration.getStatus().getConditions() == null ? new Condition()
        : registration.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
            .orElse(new Condition());
  }
}
