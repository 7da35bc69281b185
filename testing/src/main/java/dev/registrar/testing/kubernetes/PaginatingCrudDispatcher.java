package dev.registrar.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's CRUD mock answers every list whole, ignoring {@code limit}; a real API server pages
 * it ({@code limit} and {@code continue}). This one pages too, so that a client's paginated list
 * costs what it costs against a real cluster. The pages of one list come from one snapshot, as
 * the API server's do (its continue token pins the list's resourceVersion).
 */
final class PaginatingCrudDispatcher extends KubernetesCrudDispatcher {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LIMIT = Pattern.compile("([?&])limit=(\\d+)");
  private static final Pattern CONTINUE = Pattern.compile("([?&])continue=([^&]*)");

  private static final String VERSION = "{\"major\":\"1\",\"minor\":\"31\",\"gitVersion\":\"v1.31.0\","
      + "\"platform\":\"linux/amd64\"}";

  /** Snapshots of lists being paged, by continue token. */
  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

  private record Snapshot(ObjectNode list, ArrayNode items) {}

  PaginatingCrudDispatcher() {
    super(List.of());
  }

  /** Stores the objects as a create would (resourceVersion, uid, creationTimestamp), all at once. */
  void preload(List<? extends HasMetadata> objects) {
    String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    for (HasMetadata object : objects) {
      object.getMetadata().setResourceVersion(Long.toString(requestResourceVersion()));
      object.getMetadata().setUid(java.util.UUID.randomUUID().toString());
      object.getMetadata().setCreationTimestamp(now);
      String json = Serialization.asJson(object);
      // As a create stores it: the attributes of its collection's path (plural, version), which
      // lists match on, with those of the object (name, namespace, labels).
      String apiVersion = object.getApiVersion();
      String path = (apiVersion.contains("/") ? "/apis/" : "/api/") + apiVersion + "/namespaces/"
          + object.getMetadata().getNamespace() + "/" + HasMetadata.getPlural(object.getClass());
      map.put(AttributeSet.merge(getAttributeExtractor().fromPath(path), getAttributeExtractor().fromResource(json)), json);
    }
  }

  /**
   * A JSON Patch whose {@code test} fails makes the CRUD mock throw on its event loop and never
   * answer (the client waits for its request timeout). The API server answers 422: so do we.
   */
  @Override
  public MockResponse handlePatch(io.fabric8.mockwebserver.http.RecordedRequest request) {
    try {
      return super.handlePatch(request);
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage()).replace("\\", "\\\\").replace("\"", "\\\"");
      return new MockResponse().setResponseCode(422).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
          + "\"status\":\"Failure\",\"reason\":\"Invalid\",\"code\":422,\"message\":\"" + message + "\"}");
    }
  }

  @Override
  public MockResponse handleGet(String path) {
    if (path.equals("/version") || path.startsWith("/version?")) {
      // The CRUD mock has no /version: it would match the path against every stored object and
      // answer with all of them (95 MB at 10,000 Pods) to a client's start check.
      return new MockResponse().setResponseCode(200).setBody(VERSION);
    }
    Matcher limit = LIMIT.matcher(path);
    if (!limit.find() || path.contains("watch=true")) {
      return super.handleGet(path);
    }
    int size = Integer.parseInt(limit.group(2));
    Matcher token = CONTINUE.matcher(path);
    Snapshot snapshot;
    int offset;
    if (token.find() && !token.group(2).isEmpty()) {
      String[] parts = token.group(2).split("-");
      snapshot = snapshots.remove(token.group(2));
      offset = Integer.parseInt(parts[1]);
      if (snapshot == null) {
        return new MockResponse().setResponseCode(410).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
            + "\"status\":\"Failure\",\"reason\":\"Expired\",\"code\":410}");
      }
    } else {
      MockResponse whole = super.handleGet(path);
      if (whole.code() != 200) {
        return whole;
      }
      try {
        JsonNode parsed = JSON.readTree(whole.getBody().readUtf8());
        if (!(parsed instanceof ObjectNode list) || !(list.get("items") instanceof ArrayNode items)) {
          return whole; // not a list
        }
        snapshot = new Snapshot(list, items);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      offset = 0;
    }
    // The list's own fields only: copying the whole list per page would copy every item again.
    ObjectNode page = JSON.createObjectNode();
    snapshot.list().fields().forEachRemaining(field -> {
      if (!field.getKey().equals("items")) {
        page.set(field.getKey(), field.getValue().deepCopy());
      }
    });
    ArrayNode pageItems = page.putArray("items");
    int end = Math.min(snapshot.items().size(), offset + size);
    for (int i = offset; i < end; i++) {
      pageItems.add(snapshot.items().get(i));
    }
    ObjectNode metadata = page.has("metadata") ? (ObjectNode) page.get("metadata") : page.putObject("metadata");
    if (end < snapshot.items().size()) {
      String next = System.identityHashCode(snapshot) + "-" + end;
      snapshots.put(next, snapshot);
      metadata.put("continue", next);
    } else {
      metadata.remove("continue");
    }
    return new MockResponse().setResponseCode(200).setBody(page.toString());
  }
}
