package dev.registrar.operator.model;

import java.util.Optional;

/** Which zone a node is in: its {@code topology.kubernetes.io/zone} label, from the Node cache. */
@FunctionalInterface
public interface Zones {

  /** The label EndpointSlices read the zone from too. */
  String ZONE_LABEL = "topology.kubernetes.io/zone";

  /** No topology: values carry no zone (REGISTRAR_TOPOLOGY=false). */
  Zones NONE = node -> Optional.empty();

  /** @param nodeName a node's name, never null */
  Optional<String> of(String nodeName);
}
