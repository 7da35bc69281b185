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

  /**
   * A Pod that lists the readiness gate registrar.dev/registered, as the kubelet reports it: Ready
   * is False until the gate is True, whatever ContainersReady says.
   */
  public static Pod gatedPod(String namespace, String name, String ip, Map<String, String> labels,
      boolean containersReady) {
    Pod pod = pod(namespace, name, ip, labels, false);
    pod.getSpec().setReadinessGates(List.of(new io.fabric8.kubernetes.api.model.PodReadinessGate(
        "registrar.dev/registered")));
    pod.getStatus().setConditions(new java.util.ArrayList<>(List.of(
        new PodConditionBuilder().withType("PodScheduled").withStatus("True")
            .withLastTransitionTime("2026-11-24T00:00:00Z").build(),
        new PodConditionBuilder().withType("ContainersReady").withStatus(containersReady ? "True" : "False")
            .withLastTransitionTime("2026-11-24T00:00:00Z").build(),
        new PodConditionBuilder().withType("Ready").withStatus("False")
            .withReason("ReadinessGatesNotReady").withLastTransitionTime("2026-11-24T00:00:00Z").build())));
    return pod;
  }

  /**
   * The same Pod as a Deployment makes it and the API serves it: managedFields, the
   * last-applied annotation, env, mounts, probes, resources, volumes, tolerations and
   * container statuses. The size of such a Pod is what a Pod cache pays for.
   */
  public static Pod deploymentPod(String namespace, String name, String ip, Map<String, String> labels,
      boolean ready) {
    Pod pod = pod(namespace, name, ip, labels, ready);
    String fields = "{\"f:metadata\":{\"f:generateName\":{},\"f:labels\":{\".\":{},\"f:app\":{},"
        + "\"f:pod-template-hash\":{}},\"f:ownerReferences\":{\".\":{},\"k:{\\\"uid\\\":\\\"x\\\"}\":{}}},"
        + "\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"app\\\"}\":{\".\":{},\"f:env\":{},"
        + "\"f:image\":{},\"f:imagePullPolicy\":{},\"f:livenessProbe\":{},\"f:name\":{},\"f:ports\":{},"
        + "\"f:readinessProbe\":{},\"f:resources\":{},\"f:terminationMessagePath\":{},\"f:volumeMounts\":{}}}}}";
    pod.getMetadata().setUid(java.util.UUID.nameUUIDFromBytes(name.getBytes()).toString());
    pod.getMetadata().setResourceVersion("12345");
    pod.getMetadata().setGenerateName(name.substring(0, Math.max(1, name.length() - 6)));
    pod.getMetadata().setCreationTimestamp("2026-11-24T00:00:00Z");
    pod.getMetadata().setAnnotations(Map.of(
        "kubectl.kubernetes.io/last-applied-configuration", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",".repeat(20),
        "prometheus.io/scrape", "true", "prometheus.io/port", "9102"));
    pod.getMetadata().setManagedFields(List.of(
        new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder().withManager("kube-controller-manager")
            .withOperation("Update").withApiVersion("v1").withTime("2026-11-24T00:00:00Z").withFieldsType("FieldsV1")
            .withNewFieldsV1().addToAdditionalProperties("raw", fields).endFieldsV1().build(),
        new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder().withManager("kubelet")
            .withOperation("Update").withApiVersion("v1").withTime("2026-11-24T00:00:05Z").withFieldsType("FieldsV1")
            .withSubresource("status").withNewFieldsV1().addToAdditionalProperties("raw", fields).endFieldsV1()
            .build()));
    var container = pod.getSpec().getContainers().get(0);
    container.setImage("registry.example.com/team/app@sha256:" + "0123456789abcdef".repeat(4));
    container.setImagePullPolicy("IfNotPresent");
    container.setEnv(java.util.stream.IntStream.range(0, 15).mapToObj(i -> new io.fabric8.kubernetes.api.model
        .EnvVar("SETTING_" + i, "value-of-setting-number-" + i, null)).toList());
    container.setVolumeMounts(List.of(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
        .withName("kube-api-access").withMountPath("/var/run/secrets/kubernetes.io/serviceaccount")
        .withReadOnly(true).build()));
    container.setReadinessProbe(new io.fabric8.kubernetes.api.model.ProbeBuilder().withNewHttpGet()
        .withPath("/ready").withNewPort(9090).endHttpGet().withPeriodSeconds(5).build());
    container.setLivenessProbe(new io.fabric8.kubernetes.api.model.ProbeBuilder().withNewHttpGet()
        .withPath("/live").withNewPort(9090).endHttpGet().withPeriodSeconds(10).build());
    container.setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
        .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m"))
        .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi")).build());
    pod.getSpec().setServiceAccountName("app");
    pod.getSpec().setTolerations(List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder()
        .withKey("node.kubernetes.io/not-ready").withOperator("Exists").withEffect("NoExecute")
        .withTolerationSeconds(300L).build()));
    pod.getSpec().setVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("kube-api-access")
        .withNewProjected().withDefaultMode(420).endProjected().build()));
    pod.getStatus().setHostIP("192.168.0.10");
    pod.getStatus().setStartTime("2026-11-24T00:00:00Z");
    pod.getStatus().setQosClass("Burstable");
    pod.getStatus().setContainerStatuses(List.of(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
        .withName("app").withReady(ready).withRestartCount(0).withImage(container.getImage())
        .withImageID("registry.example.com/team/app@sha256:" + "fedcba9876543210".repeat(4))
        .withContainerID("containerd://" + "a1b2c3d4".repeat(8)).withStarted(true).build()));
    return pod;
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
