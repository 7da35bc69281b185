package dev.registrar.operator.testing;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.customresource.ServiceRegistrationSpec;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import java.util.List;
import java.util.Map;

/** Pods and registrations as a cluster would hold them, for tests. */
public final class TestObjects {

  private TestObjects() {}

  /** A running Pod with an IP, a container port named "grpc" (9090), and the given readiness. */
  public static Pod pod(String namespace, String name, String ip, Map<String, String> labels, boolean ready) {
    return new PodBuilder()
        .withMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withLabels(labels).build())
        .withNewSpec()
        .withNodeName("node-1")
        .addNewContainer().withName("app").withImage("app:1")
        .withPorts(new ContainerPortBuilder().withName("grpc").withContainerPort(9090).build())
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
            .withLastTransitionTime("2026-11-24T00:00:00Z").build())
        .endStatus()
        .build();
  }

  public static ServiceRegistration registration(String namespace, String name, String serviceName,
      Map<String, String> matchLabels, PortSpec... ports) {
    ServiceRegistration registration = new ServiceRegistration();
    registration.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    ServiceRegistrationSpec spec = new ServiceRegistrationSpec();
    spec.setServiceName(serviceName);
    spec.setSelector(new LabelSelectorBuilder().withMatchLabels(matchLabels).build());
    spec.setPorts(List.of(ports));
    registration.setSpec(spec);
    return registration;
  }
}
