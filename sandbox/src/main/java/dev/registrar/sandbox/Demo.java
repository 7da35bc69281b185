package dev.registrar.sandbox;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.customresource.ServiceRegistrationSpec;
import dev.registrar.testing.kubernetes.KubeletRules;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The scripted walkthrough of {@code sandbox --demo}: each step changes the cluster the way a
 * user or the kubelet would, waits (bounded) for its expectation about etcd and the
 * registration's status, and prints what changed. The exit code says whether every step held.
 */
final class Demo {

  static final String SERVICE = "web";
  static final String KEYS = "/services/" + SERVICE + "/";
  static final String CLAIM = "/registrar/claims/" + SERVICE;
  static final Duration STEP_TIMEOUT = Duration.ofSeconds(20);

  private final KubernetesClient kube;
  private final Client etcd;
  private final PrintStream out;
  private final String namespace = Sandbox.NAMESPACE;
  private final boolean realControlPlane;
  private final List<Sandbox.Member> clusters;

  /** What a step's expectation looks at: etcd under the service's paths, and the registration. */
  record State(RegistrySnapshot etcd, ServiceRegistration registration) {
    Map<String, RegistrySnapshot.Entry> keys() {
      return etcd.under(KEYS);
    }

    boolean claimed() {
      return etcd.entries().containsKey(CLAIM);
    }

    Optional<Condition> condition(String type) {
      return registration == null || registration.getStatus() == null ? Optional.empty()
          : registration.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    boolean synced(int endpoints) {
      return condition("Ready").filter(c -> "True".equals(c.getStatus())).isPresent()
          && Objects.equals(registration.getStatus().getRegisteredEndpoints(), endpoints)
          && Objects.equals(registration.getStatus().getObservedGeneration(), registration.getMetadata().getGeneration());
    }
  }

  Demo(KubernetesClient kube, Client etcd, PrintStream out, boolean realControlPlane) {
    this(kube, etcd, out, realControlPlane, List.of());
  }

  /** @param clusters the sandbox's clusters when there are several: a multi-cluster step is added */
  Demo(KubernetesClient kube, Client etcd, PrintStream out, boolean realControlPlane, List<Sandbox.Member> clusters) {
    this.kube = kube;
    this.etcd = etcd;
    this.out = out;
    this.realControlPlane = realControlPlane;
    this.clusters = clusters;
  }

  /** 0 when every step held its expectation, 1 otherwise. */
  int run() {
    List<Step> steps = new java.util.ArrayList<>(List.of(
        new Step("create ServiceRegistration \"web\" (port 8080, version 1.0.0, weight 100) and 3 pods",
            this::createRegistrationAndPods,
            "3 keys, one per ready pod, all on the registration's one lease, and the service-name claim",
            s -> s.keys().size() == 3 && s.claimed() && s.synced(3) && onTheRecordedLease(s)),
        new Step("pod web-2 stops being ready (annotation " + KubeletRules.READY_ANNOTATION + "=false)",
            () -> annotateReady("web-2", "false"),
            "web-2's key deleted at once, not left to the lease TTL",
            s -> s.keys().size() == 2 && !s.keys().containsKey(key("web-2")) && s.synced(2)),
        new Step("delete pod web-3",
            () -> kube.pods().inNamespace(namespace).withName("web-3").delete(),
            "web-3's key deleted; only web-1 (ready) is left",
            s -> s.keys().keySet().equals(java.util.Set.of(key("web-1"))) && s.synced(1)),
        new Step("change the registration's weight from 100 to 50",
            () -> kube.resources(ServiceRegistration.class).inNamespace(namespace).withName(SERVICE)
                .edit(r -> { r.getSpec().setWeight(50); return r; }),
            "web-1's value rewritten in place with \"weight\":50, nothing else touched",
            s -> s.keys().size() == 1 && s.keys().values().iterator().next().value().contains("\"weight\":50")
                && s.synced(1)),
        new Step("delete the registration",
            () -> kube.resources(ServiceRegistration.class).inNamespace(namespace).withName(SERVICE).delete(),
            "lease revoked, every key and the claim gone, the registration deleted",
            s -> s.keys().isEmpty() && !s.claimed() && s.registration() == null && leaseRevoked())));
    if (realControlPlane) {
      // Deployments need the controller-manager: only the real control plane has one.
      RolloutStep rollout = new RolloutStep(kube, etcd, out, namespace);
      steps.add(steps.size() - 1, new Step("a Deployment rolled with the readiness gate (examples/quickstart/, "
          + "then kubectl rollout restart)", rollout::run,
          "endpoints never below the 3 replicas, and the registry ends with exactly the 3 new Pods",
          s -> rollout.held(), true));
    }
    if (clusters.size() > 1) {
      // Last: it stops the second cluster's operator.
      MultiClusterStep multi = new MultiClusterStep(clusters, etcd, out, namespace);
      steps.add(new Step("one service fed by two clusters (clusterSet: Shared in " + clusters.get(0).clusterName
          + " and " + clusters.get(1).clusterName + "), then " + clusters.get(1).clusterName + "'s operator killed",
          multi::run, "both clusters' keys under one service; the dead cluster's keys gone at their TTL, "
              + "the other's untouched", s -> multi.held(), true));
    }

    out.println();
    out.println("Registrar sandbox demo: " + steps.size() + " steps, each checked against etcd and the registration's status");
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      out.printf("%nStep %d/%d: %s%n", i + 1, steps.size(), step.title());
      State before;
      State after;
      try {
        before = observe();
        step.action().run();
        after = awaitState(step.holds());
      } catch (RuntimeException e) {
        out.printf("  FAILED: %s%n", e.getMessage());
        out.printf("%nDemo FAILED at step %d of %d.%n", i + 1, steps.size());
        return 1;
      }
      if (step.reportsItself()) {
        if (!step.holds().test(after)) {
          out.printf("  FAILED: expected %s%n", step.expectation());
          out.printf("%nDemo FAILED at step %d of %d.%n", i + 1, steps.size());
          return 1;
        }
        out.println("  ok: " + step.expectation());
        continue;
      }
      printChanges(before, after);
      printConditions(after);
      if (after.registration() != null && after.registration().getStatus() != null
          && after.registration().getStatus().getLeaseId() != null) {
        lease = Long.parseUnsignedLong(after.registration().getStatus().getLeaseId(), 16);
      }
      printLease();
      if (!step.holds().test(after)) {
        out.printf("  FAILED: expected %s (waited %d s)%n", step.expectation(), STEP_TIMEOUT.toSeconds());
        out.printf("%nDemo FAILED at step %d of %d.%n", i + 1, steps.size());
        return 1;
      }
      out.println("  ok: " + step.expectation());
    }
    out.printf("%nDemo passed: all %d steps held.%n", steps.size());
    return 0;
  }

  private record Step(String title, Runnable action, String expectation, Predicate<State> holds,
      boolean reportsItself) {
    Step(String title, Runnable action, String expectation, Predicate<State> holds) {
      this(title, action, expectation, holds, false);
    }
  }

  /** The registration's lease, as its status last recorded it. */
  private Long lease;

  private void createRegistrationAndPods() {
    ServiceRegistration registration = new ServiceRegistration();
    registration.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(SERVICE).build());
    ServiceRegistrationSpec spec = new ServiceRegistrationSpec();
    spec.setServiceName(SERVICE);
    spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", SERVICE)).build());
    spec.setPorts(List.of(PortSpec.number("http", 8080)));
    spec.setVersion("1.0.0");
    spec.setWeight(100);
    spec.setMetadata(Map.of("env", "sandbox"));
    registration.setSpec(spec);
    kube.resource(registration).create();
    for (int i = 1; i <= 3; i++) {
      kube.resource(pod("web-" + i)).create();
    }
  }

  private Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name).withLabels(Map.of("app", SERVICE)).endMetadata()
        .withNewSpec().addNewContainer().withName("web").withImage("nginxinc/nginx-unprivileged:1.27")
        .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec()
        .build();
  }

  private void annotateReady(String pod, String value) {
    kube.pods().inNamespace(namespace).withName(pod).edit(p -> new PodBuilder(p).editMetadata()
        .addToAnnotations(KubeletRules.READY_ANNOTATION, value).endMetadata().build());
  }

  private String key(String pod) {
    Pod current = kube.pods().inNamespace(namespace).withName(pod).get();
    String ip = current == null || current.getStatus() == null ? null : current.getStatus().getPodIP();
    return KEYS + ip + ":8080";
  }

  private boolean onTheRecordedLease(State state) {
    String leaseId = state.registration().getStatus().getLeaseId();
    if (leaseId == null) {
      return false;
    }
    long recorded = Long.parseUnsignedLong(leaseId, 16);
    return state.etcd().under("/").values().stream().allMatch(e -> e.lease() == recorded);
  }

  private boolean leaseRevoked() {
    return lease != null && RegistrySnapshot.lease(etcd, lease).getTTL() == -1;
  }

  private State observe() {
    return new State(RegistrySnapshot.read(etcd, KEYS, CLAIM),
        kube.resources(ServiceRegistration.class).inNamespace(namespace).withName(SERVICE).get());
  }

  /** Polls until the expectation holds or the step's time is up; returns the last state seen. */
  private State awaitState(Predicate<State> holds) {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    State state = observe();
    while (!holds.test(state) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return state;
      }
      state = observe();
    }
    return state;
  }

  private void printChanges(State before, State after) {
    Map<String, RegistrySnapshot.Entry> was = before.etcd().entries();
    Map<String, RegistrySnapshot.Entry> now = after.etcd().entries();
    boolean any = false;
    for (var entry : now.entrySet()) {
      RegistrySnapshot.Entry old = was.get(entry.getKey());
      if (old == null) {
        out.printf("  etcd + %s %s%n", entry.getKey(), entry.getValue().value());
        any = true;
      } else if (!old.value().equals(entry.getValue().value())) {
        out.printf("  etcd ~ %s %s%n", entry.getKey(), entry.getValue().value());
        any = true;
      }
    }
    for (String key : was.keySet()) {
      if (!now.containsKey(key)) {
        out.printf("  etcd - %s%n", key);
        any = true;
      }
    }
    if (!any) {
      out.println("  etcd: no change");
    }
  }

  private void printConditions(State state) {
    if (state.registration() == null) {
      out.println("  registration: gone (finalizer removed after etcd confirmed the cleanup)");
      return;
    }
    if (state.registration().getStatus() == null) {
      out.println("  registration: no status yet");
      return;
    }
    for (Condition c : state.registration().getStatus().getConditions()) {
      out.printf("  status %s=%s (%s): %s%n", c.getType(), c.getStatus(), c.getReason(), c.getMessage());
    }
  }

  private void printLease() {
    if (lease == null) {
      return;
    }
    var ttl = RegistrySnapshot.lease(etcd, lease);
    if (ttl.getTTL() == -1) {
      out.printf("  lease %x: revoked%n", lease);
    } else {
      out.printf("  lease %x: granted %d s, %d s left, %d keys attached%n",
          lease, ttl.getGrantedTTL(), ttl.getTTL(), ttl.getKeys().size());
    }
  }
}
