package dev.registrar.operator.testing;

import dev.registrar.operator.customresource.ServiceRegistration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Multi-document Kubernetes YAML (helm template output, examples) as fabric8 objects. */
public final class Manifests {

  private static final Pattern SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private Manifests() {}

  /** Every non-empty document, typed by apiVersion and kind (unknown kinds stay generic). */
  public static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (Map<String, Object> document : documents(yaml)) {
      String json = Serialization.asJson(document);
      objects.add("ServiceRegistration".equals(document.get("kind"))
          ? Serialization.unmarshal(json, ServiceRegistration.class)
          : Serialization.unmarshal(json));
    }
    return objects;
  }

  /** Every non-empty document as plain maps, as an API server's schema validation sees them. */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> documents(String yaml) {
    List<Map<String, Object>> documents = new ArrayList<>();
    for (String document : SEPARATOR.split(yaml)) {
      boolean onlyComments = document.lines().map(String::strip)
          .allMatch(line -> line.isEmpty() || line.startsWith("#"));
      if (!onlyComments) {
        documents.add(Serialization.unmarshal(document, Map.class));
      }
    }
    return documents;
  }

  public static List<HasMetadata> parse(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
