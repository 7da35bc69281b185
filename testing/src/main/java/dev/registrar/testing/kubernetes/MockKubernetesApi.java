package dev.registrar.testing.kubernetes;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * fabric8's mock API server in CRUD mode, with the generated ServiceRegistration CRD installed,
 * a client to it, and a kubeconfig file for processes (the operator jar, kubectl).
 */
public final class MockKubernetesApi implements AutoCloseable {

  /** Where the operator's build puts the CRD it generates; it must be on the classpath. */
  public static final String CRD_RESOURCE =
      "META-INF/fabric8/serviceregistrations.registrar.dev-v1.yml";

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;
  private final PaginatingCrudDispatcher crud;

  private MockKubernetesApi(boolean leaderElection, boolean discovery) {
    CustomResourceDefinition crd = generatedCrd();
    if (leaderElection || discovery) {
      // Expectations first, CRUD after.
      Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
      server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
          new KubernetesMixedDispatcher(responses), false);
      crud = null;
    } else {
      // Lists are paged when the client asks (limit/continue), as a real API server pages them.
      crud = new PaginatingCrudDispatcher();
      server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), crud, false);
    }
    server.init(InetAddress.getLoopbackAddress(), 0);
    if (leaderElection) {
      // JOSDK's SelfSubjectRulesReview needs an answer the CRUD mock refuses.
      server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
          .andReturn(201, new SelfSubjectRulesReviewBuilder()
              .withNewStatus().withIncomplete(false)
              .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases")
              .withVerbs("create", "update", "get").endResourceRule()
              .endStatus().build())
          .always();
    }
    if (discovery) {
      Discovery.serve(server, crd);
    }
    client = server.createClient();
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
  }

  /** Starts a mock API with the CRD installed. */
  public static MockKubernetesApi start() {
    return new MockKubernetesApi(false, false);
  }

  /** Starts a mock API that also answers JOSDK's leader-election permission check. */
  public static MockKubernetesApi startWithLeaderElection() {
    return new MockKubernetesApi(true, false);
  }

  /** Starts a mock API that kubectl can use: it also serves the discovery documents. */
  public static MockKubernetesApi startForKubectl() {
    return new MockKubernetesApi(false, true);
  }

  /**
   * Stores objects as if created, without one create request each: the CRUD mock looks through
   * every stored object on each create, so 100,000 Pods would take it hours one by one. For
   * benchmarks that need the objects to exist before the client under test starts: they are
   * served to gets, lists (paged, by label) and watches, but are not meant to be changed after
   * (the mock's patch of a preloaded object does not answer).
   */
  public void preload(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> objects) {
    if (crud == null) {
      throw new IllegalStateException("preload needs the plain CRUD mock");
    }
    crud.preload(objects);
  }

  public NamespacedKubernetesClient client() {
    return client;
  }

  /** A client of its own whose requests carry {@code userAgent}, so they can be told apart. */
  public KubernetesClient newClient(String userAgent) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
        .withUserAgent(userAgent).build()).build();
  }

  /** Every request the server received since the last call (or its start), in order. */
  public List<RecordedRequest> takeRequests() {
    List<RecordedRequest> requests = new ArrayList<>();
    try {
      for (RecordedRequest r = server.takeRequest(100, TimeUnit.MILLISECONDS); r != null;
           r = server.takeRequest(100, TimeUnit.MILLISECONDS)) {
        requests.add(r);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return requests;
  }

  public String url() {
    return "http://" + server.getHostName() + ":" + server.getPort();
  }

  /** Writes a kubeconfig that points at this server, with {@code namespace} as the default. */
  public Path writeKubeconfig(Path file, String namespace) {
    String yaml = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        contexts:
        - name: mock
          context:
            cluster: mock
            user: mock
            namespace: %s
        current-context: mock
        users:
        - name: mock
          user:
            token: mock-token
        """.formatted(url(), namespace);
    try {
      return Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static CustomResourceDefinition generatedCrd() {
    try (InputStream in = MockKubernetesApi.class.getClassLoader().getResourceAsStream(CRD_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(CRD_RESOURCE + " is not on the classpath: the operator's "
            + "build generates it (./mvnw -pl operator -am process-classes)");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
