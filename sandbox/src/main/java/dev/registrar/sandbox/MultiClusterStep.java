package dev.registrar.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registrar.client.EndpointCodec;
import dev.registrar.operator.customresource.ClusterEndpoints;
import dev.registrar.operator.customresource.ClusterSet;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.customresource.ServiceRegistrationSpec;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The demo's multi-cluster step ({@code sandbox --clusters 2}): one service fed by two clusters
 * (the same registration, {@code clusterSet: Shared}, in each), then the second cluster's operator
 * stopped as a crash stops it, without revoking its lease: its keys leave when the lease runs out,
 * and the first cluster's keys stay, untouched (the same ModRevision).
 */
final class MultiClusterStep {

  static final String SERVICE = "cart";
  static final String KEYS = "/services/" + SERVICE + "/";
  static final int TTL_SECONDS = 15;
  static final Duration TIMEOUT = Duration.ofSeconds(TTL_SECONDS + 25);

  private final List<Sandbox.Member> clusters;
  private final Client etcd;
  private final PrintStream out;
  private final String namespace;
  private boolean held;

  MultiClusterStep(List<Sandbox.Member> clusters, Client etcd, PrintStream out, String namespace) {
    this.clusters = clusters;
    this.etcd = etcd;
    this.out = out;
    this.namespace = namespace;
  }

  /** Both clusters' keys under one service, then only the survivor's, untouched. */
  boolean held() {
    return held;
  }

  void run() {
    Sandbox.Member first = clusters.get(0);
    Sandbox.Member second = clusters.get(1);
    for (Sandbox.Member cluster : List.of(first, second)) {
      for (int i = 1; i <= 2; i++) {
        cluster.api.client().resource(new PodBuilder()
            .withNewMetadata().withNamespace(namespace).withName(SERVICE + "-" + i).withLabels(Map.of("app", SERVICE))
            .endMetadata()
            .withNewSpec().addNewContainer().withName(SERVICE).withImage("nginxinc/nginx-unprivileged:1.27")
            .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec()
            .build()).create();
      }
      cluster.api.client().resource(registration()).create();
    }
    out.printf("  created ServiceRegistration \"%s\" (clusterSet: Shared, lease TTL %d s) and 2 pods in cluster %s "
        + "and in cluster %s%n", SERVICE, TTL_SECONDS, first.clusterName, second.clusterName);
    waitFor(() -> byCluster().keySet().equals(java.util.Set.of(first.clusterName, second.clusterName))
        && byCluster().values().stream().allMatch(keys -> keys.size() == 2)
        && otherClusters(first.api.client()).equals(List.of(new ClusterEndpoints(second.clusterName, 2))),
        "both clusters' 2 keys under " + KEYS);
    byCluster().forEach((cluster, keys) -> keys.forEach((key, revision) ->
        out.printf("  etcd   %s  (cluster %s)%n", key, cluster)));
    out.printf("  status of %s/%s in cluster %s: otherClusters %s%n", namespace, SERVICE, first.clusterName,
        otherClusters(first.api.client()));

    Map<String, Long> survivors = byCluster().get(first.clusterName);
    out.printf("  cluster %s's operator stopped as a crash stops it (its lease is not revoked)%n", second.clusterName);
    long stopped = System.nanoTime();
    second.stopOperator();
    waitFor(() -> !byCluster().containsKey(second.clusterName), "cluster " + second.clusterName
        + "'s keys gone at their lease's TTL");
    double seconds = (System.nanoTime() - stopped) / 1e9;
    Map<String, Long> after = byCluster().getOrDefault(first.clusterName, Map.of());
    held = after.equals(survivors);
    out.printf("  %.1f s later cluster %s's 2 keys were gone (TTL %d s); cluster %s's %d keys %s%n", seconds,
        second.clusterName, TTL_SECONDS, first.clusterName, after.size(),
        held ? "untouched (same value and ModRevision)" : "CHANGED: " + survivors + " -> " + after);
    first.api.client().resources(ServiceRegistration.class).inNamespace(namespace).withName(SERVICE).delete();
  }

  private ServiceRegistration registration() {
    ServiceRegistration registration = new ServiceRegistration();
    registration.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(SERVICE).build());
    ServiceRegistrationSpec spec = new ServiceRegistrationSpec();
    spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", SERVICE)).build());
    spec.setPorts(List.of(PortSpec.number("http", 8080)));
    spec.setClusterSet(ClusterSet.Shared);
    spec.setLeaseTTLSeconds(TTL_SECONDS);
    registration.setSpec(spec);
    return registration;
  }

  private List<ClusterEndpoints> otherClusters(KubernetesClient kube) {
    ServiceRegistration r = kube.resources(ServiceRegistration.class).inNamespace(namespace).withName(SERVICE).get();
    return r == null || r.getStatus() == null || r.getStatus().getOtherClusters() == null ? List.of()
        : r.getStatus().getOtherClusters();
  }

  /** The service's keys by the cluster that wrote them (the value's owner.cluster), key to ModRevision. */
  private Map<String, Map<String, Long>> byCluster() {
    Map<String, Map<String, Long>> clusters = new TreeMap<>();
    try {
      for (KeyValue kv : etcd.getKVClient().get(ByteSequence.from(KEYS, UTF_8), GetOption.builder().isPrefix(true).build())
          .get(5, TimeUnit.SECONDS).getKvs()) {
        String cluster = EndpointCodec.decode(kv.getValue().getBytes()).owner().cluster();
        clusters.computeIfAbsent(cluster, c -> new TreeMap<>()).put(kv.getKey().toString(UTF_8), kv.getModRevision());
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not read etcd: " + e.getMessage(), e);
    }
    return clusters;
  }

  private static void waitFor(BooleanSupplier done, String what) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within " + TIMEOUT.toSeconds() + " s: " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
