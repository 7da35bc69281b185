package dev.registrar.operator.customresource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** DESIGN.md's example registration as a plain object, for a test to break one field of its spec. */
public final class SampleRegistrations {

  private SampleRegistrations() {}

  /** The example (ports: http by number, grpc by container port name), with {@code change} applied to its spec. */
  public static Map<String, Object> registration(String namespace, String name, Consumer<Map<String, Object>> change) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("serviceName", "orders");
    spec.put("selector", new LinkedHashMap<>(Map.of("matchLabels", Map.of("app", "orders"))));
    List<Object> ports = new ArrayList<>();
    ports.add(new LinkedHashMap<>(Map.of("name", "http", "port", 8080)));
    ports.add(new LinkedHashMap<>(Map.of("name", "grpc", "containerPort", "grpc")));
    spec.put("ports", ports);
    spec.put("version", "1.2.0");
    spec.put("weight", 100);
    spec.put("metadata", new LinkedHashMap<>(Map.of("team", "payments")));
    spec.put("leaseTTLSeconds", 30);
    spec.put("publishNotReadyAddresses", false);
    change.accept(spec);
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("apiVersion", "registrar.dev/v1alpha1");
    object.put("kind", "ServiceRegistration");
    object.put("metadata", Map.of("name", name, "namespace", namespace));
    object.put("spec", spec);
    return object;
  }

  @SuppressWarnings("unchecked")
  public static List<Object> ports(Map<String, Object> spec) {
    return (List<Object>) spec.get("ports");
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> port(Map<String, Object> spec, int index) {
    return (Map<String, Object>) ports(spec).get(index);
  }
}
