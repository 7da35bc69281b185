package dev.registrar.operator.reconciler;

import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.Zones;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The zone of each node, from an informer whose cache keeps only Node names and labels (a Node's
 * status, with its images and conditions, is most of its bytes). A node relabelled to another
 * zone reconciles the registrations of the Pods on it; other Node updates (heartbeats) do nothing.
 */
final class NodeZones implements Zones {

  /** The Pod cache's index by node name. */
  static final String POD_INDEX = "node";

  private volatile InformerEventSource<Node, ServiceRegistration> nodes;

  /** The index key of a Pod: its node's name, once it is scheduled. */
  static List<String> podKeys(Pod pod) {
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return node == null ? List.of() : List.of(node);
  }

  /**
   * @param registrationsOfPod the registrations that select a Pod, or selected it
   * @param podsOnNode the Pods on a node, from the Pod cache's index
   */
  InformerEventSource<Node, ServiceRegistration> eventSource(EventSourceContext<ServiceRegistration> context,
      Function<String, List<Pod>> podsOnNode, Function<Pod, Set<ResourceID>> registrationsOfPod) {
    var configuration = InformerEventSourceConfiguration.from(Node.class, ServiceRegistration.class)
        .withName("nodes")
        // Nodes are cluster-scoped: one cluster-wide watch, even in watchNamespaces mode.
        .withWatchAllNamespaces()
        .withSecondaryToPrimaryMapper((Node node) -> {
          Set<ResourceID> ids = new HashSet<>();
          podsOnNode.apply(node.getMetadata().getName()).forEach(pod -> ids.addAll(registrationsOfPod.apply(pod)));
          return ids;
        })
        .withOnUpdateFilter((now, before) -> !Objects.equals(zoneOf(now), zoneOf(before)))
        .withItemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, Node.class,
            context.getClient().getKubernetesSerialization(), "metadata.labels"))
        .build();
    nodes = new InformerEventSource<>(configuration, context);
    return nodes;
  }

  @Override
  public Optional<String> of(String nodeName) {
    InformerEventSource<Node, ServiceRegistration> source = nodes;
    return source == null ? Optional.empty() : source.get(new ResourceID(nodeName)).flatMap(NodeZones::zoneOf);
  }

  private static Optional<String> zoneOf(Node node) {
    return Optional.ofNullable(node.getMetadata().getLabels()).map(labels -> labels.get(ZONE_LABEL))
        .filter(zone -> !zone.isBlank());
  }
}
