package dev.registrar.operator.apiserver;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * What the kubelet does to a Pod here, where there is none: a real API server drops the status
 * of a created Pod, so the status is written afterwards through the status subresource, as the
 * kubelet writes it.
 */
final class KubeletStandIn {

  private KubeletStandIn() {}

  /** Creates the Pod, then writes the status it carries (IP, conditions) as the kubelet would. */
  static Pod run(KubernetesClient client, Pod pod) {
    PodStatus status = pod.getStatus();
    pod.setStatus(null);
    client.resource(pod).create();
    if (status.getPodIP() != null) {
      status.setPodIPs(List.of(new PodIPBuilder().withIp(status.getPodIP()).build()));
    }
    return client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
        .editStatus(p -> {
          p.setStatus(status);
          return p;
        });
  }

  /** Sets every condition of the Pod to {@code ready} (the gate's own condition excepted). */
  static void setReady(KubernetesClient client, String namespace, String name, boolean ready) {
    client.pods().inNamespace(namespace).withName(name).editStatus(p -> {
      for (PodCondition condition : p.getStatus().getConditions()) {
        if (!condition.getType().startsWith("registrar.dev/")) {
          condition.setStatus(ready ? "True" : "False");
        }
      }
      return p;
    });
  }

  /** A Node with a zone label, so that topology has something to read. */
  static void node(KubernetesClient client, String name, String zone) {
    if (client.nodes().withName(name).get() == null) {
      client.resource(new NodeBuilder().withNewMetadata().withName(name)
          .addToLabels("topology.kubernetes.io/zone", zone).endMetadata().build()).create();
    }
  }
}
