package dev.registrar.operator.reconciler;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.customresource.ServiceRegistrationStatus;
import dev.registrar.operator.model.AllowedNames;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.operator.testing.OperatorProcess;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may publish which service name: a tenant's registration for a name it was not granted
 * writes nothing and leaves the real owner alone; granting and revoking a name on the Namespace
 * adds and removes the keys and the claim; a policy switch between runs of the jar takes effect.
 */
class NamePolicyIT {

  /** One etcd per test: each counts etcd revisions from a clean start. */
  @RegisterExtension
  final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final Duration WAIT = Duration.ofSeconds(20);
  static final Map<String, String> APP = Map.of("app", "svc");

  @TempDir
  Path dir;

  static Namespace namespace(String name, String allowedServiceNames) {
    NamespaceBuilder namespace = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
    if (allowedServiceNames != null) {
      namespace.editMetadata().addToAnnotations(AllowedNames.ANNOTATION, allowedServiceNames).endMetadata();
    }
    return namespace.build();
  }

  static void annotate(KubernetesClient client, String namespace, String allowedServiceNames) {
    client.namespaces().withName(namespace).edit(ns -> {
      Map<String, String> annotations = new HashMap<>();
      if (ns.getMetadata().getAnnotations() != null) {
        annotations.putAll(ns.getMetadata().getAnnotations());
      }
      if (allowedServiceNames == null) {
        annotations.remove(AllowedNames.ANNOTATION);
      } else {
        annotations.put(AllowedNames.ANNOTATION, allowedServiceNames);
      }
      ns.getMetadata().setAnnotations(annotations);
      return ns;
    });
  }

  static Condition condition(KubernetesClient client, String namespace, String name, String type) {
    ServiceRegistration registration = client.resources(ServiceRegistration.class).inNamespace(namespace)
        .withName(name).get();
    ServiceRegistrationStatus status = registration == null ? null : registration.getStatus();
    return status == null ? null : status.getConditions().stream().filter(c -> c.getType().equals(type))
        .findFirst().orElse(null);
  }

  static void awaitReady(KubernetesClient client, String namespace, String name, String status, String reason) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(client, namespace, name, "Ready"))
        .isNotNull().satisfies(c -> {
          assertThat(c.getStatus()).isEqualTo(status);
          assertThat(c.getReason()).isEqualTo(reason);
        }));
  }

  @Test
  void aTenantsRegistrationForANameItWasNotGrantedWritesNothingAndLeavesTheOwnerAlone() {
    try (OperatorFixture fixture = OperatorFixture.start(ETCD, "--name-policy", "namespace-annotation")) {
      KubernetesClient client = fixture.client;
      EtcdView etcd = fixture.etcd;
      client.resource(namespace("payments", "payments")).create();
      client.resource(namespace("sandbox", "sandbox-*")).create();
      client.resource(pod("payments", "payments-1", "10.30.0.1", APP, true)).create();
      client.resource(pod("sandbox", "impostor-1", "10.31.0.1", APP, true)).create();

      // Before the owner has deployed: the tenant asks for the name first.
      long before = etcd.revision();
      client.resource(registration("sandbox", "payments", "payments", APP, PortSpec.number("http", 8080))).create();
      awaitReady(client, "sandbox", "payments", "False", "NameNotAllowed");
      String expected = "service name 'payments' is not allowed in namespace 'sandbox' by name policy "
          + "namespace-annotation: the annotation registrar.dev/allowed-service-names of Namespace 'sandbox' grants "
          + "only sandbox-*; a cluster admin grants the name by adding it, or a glob such as 'payments-*', to that "
          + "comma-separated list";
      assertThat(condition(client, "sandbox", "payments", "Ready").getMessage()).isEqualTo(expected);
      assertThat(condition(client, "sandbox", "payments", "EndpointsAvailable"))
          .satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"));
      assertThat(fixture.registration("sandbox", "payments").getStatus().getLeaseId()).isNull();
      assertThat(fixture.events("sandbox", "payments", "NameNotAllowed")).singleElement()
          .satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).isEqualTo(expected);
          });
      assertThat(etcd.revision()).as("etcd writes by the refused registration").isEqualTo(before);

      // The owner then registers without a conflict: the tenant holds no claim.
      client.resource(registration("payments", "payments", "payments", APP, PortSpec.number("http", 8080))).create();
      awaitReady(client, "payments", "payments", "True", "Synced");
      assertThat(etcd.values("/services/payments/")).containsOnlyKeys("/services/payments/10.30.0.1:8080");
      Map<String, String> ownersKeys = etcd.valuesAndRevisions("/services/payments/", "/registrar/claims/payments");

      // More tenant Pods, a tenant reconcile: still nothing written, the owner's keys untouched.
      int reconciles = fixture.operator().awaitSettled();
      client.resource(pod("sandbox", "impostor-2", "10.31.0.2", APP, true)).create();
      await().atMost(WAIT).until(() -> fixture.operator().reconciles() > reconciles);
      fixture.operator().awaitSettled();
      assertThat(etcd.valuesAndRevisions("/services/payments/", "/registrar/claims/payments")).isEqualTo(ownersKeys);
      assertThat(etcd.values("/services/")).doesNotContainKeys("/services/payments/10.31.0.1:8080",
          "/services/payments/10.31.0.2:8080");
      assertThat(fixture.events("sandbox", "payments", "NameNotAllowed")).hasSize(1);
    }
  }

  @Test
  void grantingTheNameOnTheNamespaceRegistersAndRevokingItRemovesKeysAndClaim() {
    try (OperatorFixture fixture = OperatorFixture.start(ETCD, "--name-policy", "namespace-annotation")) {
      KubernetesClient client = fixture.client;
      EtcdView etcd = fixture.etcd;
      client.resource(namespace("team", null)).create();
      client.resource(pod("team", "orders-1", "10.32.0.1", APP, true)).create();
      client.resource(pod("team", "orders-2", "10.32.0.2", APP, true)).create();
      client.resource(registration("team", "orders", "orders", APP, PortSpec.number("http", 8080))).create();
      awaitReady(client, "team", "orders", "False", "NameNotAllowed");
      assertThat(condition(client, "team", "orders", "Ready").getMessage()).endsWith(
          "Namespace 'team' has no annotation registrar.dev/allowed-service-names; a cluster admin grants the name "
              + "with: kubectl annotate namespace team registrar.dev/allowed-service-names=orders");
      assertThat(etcd.values("/services/orders/")).isEmpty();

      long granted = System.nanoTime();
      annotate(client, "team", "billing, orders");
      await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).untilAsserted(() ->
          assertThat(etcd.values("/services/orders/")).hasSize(2));
      long grantMillis = (System.nanoTime() - granted) / 1_000_000;
      assertThat(etcd.value("/registrar/claims/orders")).isPresent();
      awaitReady(client, "team", "orders", "True", "Synced");
      long lease = fixture.lease("team", "orders");

      long revoked = System.nanoTime();
      annotate(client, "team", "billing");
      await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
        assertThat(etcd.values("/services/orders/")).isEmpty();
        assertThat(etcd.value("/registrar/claims/orders")).isEmpty();
      });
      long revokeMillis = (System.nanoTime() - revoked) / 1_000_000;
      System.out.printf("name policy: Namespace annotation granted -> keys in etcd %d ms; revoked -> keys and "
          + "claim gone %d ms%n", grantMillis, revokeMillis);
      awaitReady(client, "team", "orders", "False", "NameNotAllowed");
      assertThat(etcd.lease(lease).getTTL()).as("the lease is revoked, not left to expire").isEqualTo(-1);
      ServiceRegistrationStatus status = fixture.registration("team", "orders").getStatus();
      assertThat(status.getLeaseId()).isNull();
      assertThat(status.getRegisteredEndpoints()).isZero();
      assertThat(condition(client, "team", "orders", "EndpointsAvailable").getReason()).isEqualTo("NameNotAllowed");
      assertThat(condition(client, "team", "orders", "Ready").getMessage()).contains("grants only billing;");

      // Granted again by a glob: back under a new lease.
      annotate(client, "team", "ord*");
      awaitReady(client, "team", "orders", "True", "Synced");
      assertThat(etcd.values("/services/orders/")).hasSize(2);
    }
  }

  @Test
  void aNameTakenBackWhileEtcdIsDownIsGivenUpAsSoonAsEtcdAnswers() throws Exception {
    try (OperatorFixture fixture = OperatorFixture.start(ETCD, "--name-policy", "namespace-annotation")) {
      KubernetesClient client = fixture.client;
      client.resource(namespace("ops", "billing")).create();
      client.resource(pod("ops", "billing-1", "10.34.0.1", APP, true)).create();
      client.resource(registration("ops", "billing", "billing", APP, PortSpec.number("http", 8080))).create();
      awaitReady(client, "ops", "billing", "True", "Synced");
      long lease = fixture.lease("ops", "billing");

      ETCD.etcd().killAll();
      awaitReady(client, "ops", "billing", "False", "EtcdUnavailable");
      annotate(client, "ops", "reporting");
      // Said at once, etcd or not; the lease is no longer renewed, so the keys go with its TTL
      // even if etcd stayed away.
      awaitReady(client, "ops", "billing", "False", "NameNotAllowed");
      assertThat(fixture.registration("ops", "billing").getStatus().getLeaseId()).isEqualTo(Long.toHexString(lease));
      ETCD.etcd().startAll();
      try (io.etcd.jetcd.Client fresh = ETCD.etcd().newClient()) {
        EtcdView etcd = new EtcdView(fresh);
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(etcd.values("/services/billing/")).isEmpty();
          assertThat(etcd.value("/registrar/claims/billing")).isEmpty();
          assertThat(etcd.lease(lease).getTTL()).isEqualTo(-1);
        });
      }
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(fixture.registration("ops", "billing").getStatus().getLeaseId()).isNull());
      awaitReady(client, "ops", "billing", "False", "NameNotAllowed");
    }
  }

  @Test
  void switchingThePolicyBetweenRunsOfTheJarTakesEffectOnTheKeysAlreadyRegistered() throws Exception {
    try (MockKubernetesApi api = MockKubernetesApi.start()) {
      KubernetesClient client = api.client();
      EtcdView etcd = new EtcdView(ETCD.client());
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), "registrar");
      client.resource(namespace("sandbox", "payments")).create();
      client.resource(pod("sandbox", "app-1", "10.33.0.1", APP, true)).create();
      client.resource(registration("sandbox", "payments", "payments", APP, PortSpec.number("http", 8080))).create();
      client.resource(registration("sandbox", "sandbox-api", "sandbox-api", APP, PortSpec.number("http", 9090))).create();

      // Run 1, any: both names are published.
      try (OperatorProcess jar = launch(kubeconfig, "any", "run-any")) {
        awaitReady(client, "sandbox", "payments", "True", "Synced");
        awaitReady(client, "sandbox", "sandbox-api", "True", "Synced");
        assertThat(etcd.values("/services/")).containsOnlyKeys(
            "/services/payments/10.33.0.1:8080", "/services/sandbox-api/10.33.0.1:9090");
        stop(jar);
      }
      long paymentsLease = Long.parseUnsignedLong(client.resources(ServiceRegistration.class).inNamespace("sandbox")
          .withName("payments").get().getStatus().getLeaseId(), 16);
      // Stopped, not deleted: the keys stay on their leases for the next run.
      assertThat(etcd.values("/services/")).hasSize(2);

      // Run 2, namespace-prefix: payments is no name of sandbox's; its keys, lease and claim go.
      try (OperatorProcess jar = launch(kubeconfig, "namespace-prefix", "run-prefix")) {
        awaitReady(client, "sandbox", "payments", "False", "NameNotAllowed");
        assertThat(condition(client, "sandbox", "payments", "Ready").getMessage()).isEqualTo("service name "
            + "'payments' is not allowed in namespace 'sandbox' by name policy namespace-prefix: the name must be "
            + "'sandbox' or start with 'sandbox-'");
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(etcd.values("/services/")).containsOnlyKeys("/services/sandbox-api/10.33.0.1:9090");
          assertThat(etcd.value("/registrar/claims/payments")).isEmpty();
        });
        assertThat(etcd.lease(paymentsLease).getTTL()).isEqualTo(-1);
        awaitReady(client, "sandbox", "sandbox-api", "True", "Synced");
        stop(jar);
      }

      // Run 3, namespace-annotation granting only payments: the two swap.
      try (OperatorProcess jar = launch(kubeconfig, "namespace-annotation", "run-annotation")) {
        awaitReady(client, "sandbox", "payments", "True", "Synced");
        awaitReady(client, "sandbox", "sandbox-api", "False", "NameNotAllowed");
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(etcd.values("/services/")).containsOnlyKeys("/services/payments/10.33.0.1:8080");
          assertThat(etcd.value("/registrar/claims/sandbox-api")).isEmpty();
        });
        assertThat(jar.log()).contains("name policy namespace-annotation");
        stop(jar);
      }
    }
  }

  private OperatorProcess launch(Path kubeconfig, String policy, String name) {
    OperatorProcess jar = OperatorProcess.launch(List.of(), Map.of(
        "KUBECONFIG", kubeconfig.toString(),
        "REGISTRAR_ETCD_ENDPOINTS", ETCD.endpointList(),
        "REGISTRAR_NAME_POLICY", policy), dir.resolve(name + ".log"));
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(jar.isAlive()).withFailMessage(() -> name + " exited:\n" + jar.log()).isTrue();
      assertThat(jar.get("/readyz")).isEqualTo(200);
    });
    return jar;
  }

  private static void stop(OperatorProcess jar) {
    jar.sigterm();
    assertThat(jar.awaitExit(Duration.ofSeconds(10))).contains(0);
  }
}
