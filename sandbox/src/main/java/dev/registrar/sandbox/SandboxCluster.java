package dev.registrar.sandbox;

import dev.registrar.testing.kubernetes.KubeletlessCluster;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import dev.registrar.testing.kubernetes.SimulatedKubelet;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The Kubernetes side of the sandbox: a real control plane without kubelets (kube-apiserver,
 * kube-controller-manager and the simulated kubelet), or, when that is not built, fabric8's mock
 * server with the same simulated kubelet. Either way kubectl reaches it through {@link #kubeconfig()}.
 */
final class SandboxCluster implements AutoCloseable {

  /** Containers start this long after their Pod is bound, and stop this long after it is deleted. */
  static final Duration START = Duration.ofMillis(300);
  static final Duration STOP = Duration.ofSeconds(1);
  static final List<SimulatedKubelet.NodeSpec> NODES = SimulatedKubelet.nodes("sandbox-node", 3, "zone-a", "zone-b");

  /**
   * The Nodes of the sandbox's cluster {@code number} (1, 2, …): the first cluster's are
   * {@link #NODES}; another's have names and Pod IP ranges of their own (10.244.10.0/24 on for the
   * second), as two real clusters have.
   */
  static List<SimulatedKubelet.NodeSpec> nodes(int number) {
    return number == 1 ? NODES
        : SimulatedKubelet.nodes("cluster" + number + "-node", NODES.size(), 10 * (number - 1), "zone-a", "zone-b");
  }

  private final boolean real;
  private final int nodes;
  private final KubernetesClient client;
  private final String url;
  private final Path kubeconfig;
  private final AutoCloseable[] parts;

  private SandboxCluster(boolean real, int nodes, KubernetesClient client, String url, Path kubeconfig,
      AutoCloseable... parts) {
    this.real = real;
    this.nodes = nodes;
    this.client = client;
    this.url = url;
    this.kubeconfig = kubeconfig;
    this.parts = parts;
  }

  /** The real control plane (built by scripts/control-plane.sh), the CRD installed. */
  static SandboxCluster real(Path workDir) {
    return real(workDir, NODES);
  }

  /** The same, with these Nodes. */
  static SandboxCluster real(Path workDir, List<SimulatedKubelet.NodeSpec> nodes) {
    KubeletlessCluster cluster = KubeletlessCluster.start(SimulatedKubelet.Options.realApiServer(START, STOP), nodes);
    try {
      cluster.installCrd();
      Path kubeconfig = Files.copy(cluster.api().kubeconfig(), workDir.resolve("kubeconfig"));
      return new SandboxCluster(true, nodes.size(), cluster.client(), cluster.api().url(), kubeconfig, cluster);
    } catch (IOException e) {
      cluster.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** fabric8's mock server with kubectl discovery, the CRD and the namespace; bare Pods only. */
  static SandboxCluster mock(Path workDir, String namespace) {
    return mock(workDir, namespace, NODES);
  }

  /** The same, with these Nodes. */
  static SandboxCluster mock(Path workDir, String namespace, List<SimulatedKubelet.NodeSpec> nodes) {
    MockKubernetesApi api = MockKubernetesApi.startForKubectl();
    try {
      Path kubeconfig = api.writeKubeconfig(workDir.resolve("kubeconfig"), namespace);
      // Every cluster has it, and the name policy namespace-annotation reads it. (kubectl
      // create sends protobuf, which the mock server cannot read.)
      api.client().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
      SimulatedKubelet kubelet = SimulatedKubelet.start(api.client(),
          new SimulatedKubelet.Options(START, STOP, false), nodes);
      return new SandboxCluster(false, nodes.size(), api.client(), api.url(), kubeconfig, kubelet, api);
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
  }

  boolean real() {
    return real;
  }

  KubernetesClient client() {
    return client;
  }

  String url() {
    return url;
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  String description() {
    return real ? "a real kube-apiserver and kube-controller-manager; the sandbox plays the kubelet of "
        + nodes + " Nodes"
        : "fabric8 mock server with the ServiceRegistration CRD; the sandbox plays the kubelet";
  }

  @Override
  public void close() {
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        // Shutting down: the next part must still be stopped.
      }
    }
  }
}
