package dev.registrar.testing.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real cluster without kubelets: a dedicated kube-apiserver (with its own etcd), the
 * controller-manager of the same build and the {@link SimulatedKubelet} for its Nodes.
 * Deployments roll, scale, drain and get garbage-collected as on a real cluster; containers are
 * the only thing simulated. {@link #close()} stops all of it.
 */
public final class KubeletlessCluster implements AutoCloseable {

  private final RealKubeApiServer api;
  private final ControllerManager controllerManager;
  private final SimulatedKubelet kubelet;
  private final Path controllerManagerLog;

  private KubeletlessCluster(RealKubeApiServer api, ControllerManager controllerManager, SimulatedKubelet kubelet,
      Path controllerManagerLog) {
    this.api = api;
    this.controllerManager = controllerManager;
    this.kubelet = kubelet;
    this.controllerManagerLog = controllerManagerLog;
  }

  /** Starts the three parts; {@code nodes} are registered before any Pod is scheduled. */
  public static KubeletlessCluster start(SimulatedKubelet.Options options, List<SimulatedKubelet.NodeSpec> nodes) {
    RealKubeApiServer api = RealKubeApiServer.startDedicated();
    ControllerManager controllerManager = null;
    try {
      Path log = Files.createTempFile("registrar-kube-controller-manager-", ".log");
      controllerManager = ControllerManager.start(api.controlPlane(), api.kubeconfig(), log);
      SimulatedKubelet kubelet = SimulatedKubelet.start(api.client(), options, nodes);
      return new KubeletlessCluster(api, controllerManager, kubelet, log);
    } catch (IOException e) {
      closeAll(api, controllerManager);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      closeAll(api, controllerManager);
      throw e;
    }
  }

  private static void closeAll(RealKubeApiServer api, ControllerManager controllerManager) {
    if (controllerManager != null) {
      controllerManager.close();
    }
    api.close();
  }

  /** Installs the ServiceRegistration CRD from the repository's crds/, and waits until it is served. */
  public void installCrd() {
    api.installRegistrationCrd();
  }

  public RealKubeApiServer api() {
    return api;
  }

  public KubernetesClient client() {
    return api.client();
  }

  @Override
  public void close() {
    kubelet.close();
    controllerManager.close();
    api.close();
    try {
      Files.deleteIfExists(controllerManagerLog);
    } catch (IOException e) {
      // a temporary file; nothing else depends on it
    }
  }
}
