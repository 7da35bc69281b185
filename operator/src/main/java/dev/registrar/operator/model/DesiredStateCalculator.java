package dev.registrar.operator.model;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.RegistryKey;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.customresource.ServiceRegistrationSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Desired keys are a pure function of (Pods, spec, config): one key per registrable Pod per port. */
public final class DesiredStateCalculator {

  private DesiredStateCalculator() {}

  /**
   * @param pods candidate Pods of the registration's namespace; the selector is applied here
   * @throws EndpointCodec.ValueTooLargeException when the spec makes a value exceed 8 KiB
   */
  public static DesiredState compute(ServiceRegistration registration, Collection<Pod> pods,
      RegistryContext context) {
    return compute(registration, pods, context, Zones.NONE);
  }

  /**
   * @param pods candidate Pods of the registration's namespace; the selector is applied here
   * @param zones the zone of each node, for the values' {@code zone}
   * @throws EndpointCodec.ValueTooLargeException when the spec makes a value exceed 8 KiB
   */
  public static DesiredState compute(ServiceRegistration registration, Collection<Pod> pods,
      RegistryContext context, Zones zones) {
    return compute(registration, pods, context, zones, ValueEncoder.DIRECT);
  }

  /**
   * @param encoder how values become bytes ({@link MemoizedEncoder} keeps the last reconcile's)
   * @throws EndpointCodec.ValueTooLargeException when the spec makes a value exceed 8 KiB
   */
  public static DesiredState compute(ServiceRegistration registration, Collection<Pod> pods,
      RegistryContext context, Zones zones, ValueEncoder encoder) {
    ServiceRegistrationSpec spec = registration.getSpec();
    String serviceName = registration.effectiveServiceName();
    EndpointValue.Owner owner = ownerOf(registration, context);
    boolean publishNotReady = spec.effectivePublishNotReadyAddresses();

    // Sorted by name, so that a key two Pods would share goes to the same Pod every time.
    List<Pod> matching = pods.stream()
        .filter(pod -> registration.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace()))
        .filter(pod -> LabelSelectors.matches(spec.getSelector(), pod.getMetadata().getLabels()))
        .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
        .toList();

    Map<String, DesiredEndpoint> endpoints = new TreeMap<>();
    List<String> skipped = new ArrayList<>();
    SortedSet<String> registrable = new TreeSet<>();
    SortedMap<String, List<String>> ignoredOverrides = new TreeMap<>();
    // The registration's own values, once: most Pods carry no override and publish these.
    PodOverrides base = PodOverrides.none(spec.getVersion(), spec.effectiveWeight(), spec.getMetadata());
    for (Pod pod : matching) {
      if (!PodReadiness.isRegistrable(pod, publishNotReady, context.readinessGate())) {
        continue;
      }
      String podName = pod.getMetadata().getName();
      registrable.add(podName);
      String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      String zone = node == null ? null : zones.of(node).orElse(null);
      PodOverrides values = PodOverrides.of(pod.getMetadata().getAnnotations(), base);
      for (PortSpec port : spec.getPorts()) {
        Optional<Integer> number = resolvePort(port, pod);
        if (number.isEmpty()) {
          skipped.add("pod " + pod.getMetadata().getName() + " has no container port named '"
              + port.getContainerPort() + "'");
          continue;
        }
        RegistryKey key = context.prefix().key(serviceName, pod.getStatus().getPodIP(), number.get());
        if (endpoints.containsKey(key.asString())) {
          skipped.add("pod " + pod.getMetadata().getName() + " port " + port.getName() + ": "
              + key.endpoint() + " is already registered by "
              + endpoints.get(key.asString()).value().pod() + " port "
              + endpoints.get(key.asString()).value().portName());
          continue;
        }
        EndpointValue value = valueOf(values, pod, number.get(), port.getName(), node, zone, owner);
        byte[] encoded;
        try {
          encoded = encoder.encode(value);
        } catch (EndpointCodec.ValueTooLargeException e) {
          if (values.equals(base)) {
            throw e; // the registration's own values are too large: a spec problem
          }
          // The Pod's annotations made it too large: they are ignored, never the Pod.
          values = base.ignoring("registrar.dev annotations ignored: with them the value is " + e.size()
              + " bytes, more than the " + EndpointCodec.MAX_VALUE_BYTES + " allowed");
          value = valueOf(values, pod, number.get(), port.getName(), node, zone, owner);
          encoded = encoder.encode(value);
        }
        endpoints.put(key.asString(), new DesiredEndpoint(key, value, encoded));
      }
      if (!values.ignored().isEmpty()) {
        ignoredOverrides.put(podName, values.ignored());
      }
    }
    return new DesiredState(new TreeMap<>(endpoints),
        matching.stream().map(pod -> pod.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new)),
        skipped, registrable, ignoredOverrides);
  }

  private static EndpointValue valueOf(PodOverrides values, Pod pod, int port, String portName, String node,
      String zone, EndpointValue.Owner owner) {
    return new EndpointValue(values.version(), values.weight(), pod.getStatus().getPodIP(), port, portName,
        pod.getMetadata().getName(), pod.getMetadata().getNamespace(), node, zone, values.metadata(), owner);
  }

  /** Who the registration's keys belong to: a re-created registration (new UID) is a new owner. */
  public static EndpointValue.Owner ownerOf(ServiceRegistration registration, RegistryContext context) {
    return new EndpointValue.Owner(context.clusterName(), registration.getMetadata().getNamespace(),
        registration.getMetadata().getName(), registration.getMetadata().getUid());
  }

  static Optional<Integer> resolvePort(PortSpec port, Pod pod) {
    if (port.getPort() != null) {
      return Optional.of(port.getPort());
    }
    if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
      return Optional.empty();
    }
    for (Container container : pod.getSpec().getContainers()) {
      if (container.getPorts() == null) {
        continue;
      }
      for (ContainerPort containerPort : container.getPorts()) {
        if (port.getContainerPort().equals(containerPort.getName()) && containerPort.getContainerPort() != null) {
          return Optional.of(containerPort.getContainerPort());
        }
      }
    }
    return Optional.empty();
  }
}
