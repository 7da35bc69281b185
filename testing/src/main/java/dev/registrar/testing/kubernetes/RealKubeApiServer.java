package dev.registrar.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registrar.testing.process.Command;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real kube-apiserver with its own etcd, started by fabric8's kube-api-test from the binaries
 * of {@link ControlPlane} (offline: nothing is downloaded). It runs with RBAC authorization and an
 * audit log, so a test can ask what an identity did and what it was refused. Start-up takes a few
 * seconds, so one server serves a whole test JVM ({@link #shared()}); tests keep apart by
 * namespace and name.
 */
public final class RealKubeApiServer implements AutoCloseable {

  private static RealKubeApiServer shared;

  private final ControlPlane controlPlane;
  private final KubeAPIServer server;
  private final Path dir;
  private final Path kubeconfig;
  private final Path auditLog;
  private final KubernetesClient client;
  private final String url;

  private RealKubeApiServer(ControlPlane controlPlane, List<String> extraFlags) throws IOException {
    this.controlPlane = controlPlane;
    this.dir = Files.createTempDirectory("registrar-kube-api-");
    this.auditLog = dir.resolve("audit.log");
    Path policy = Files.writeString(dir.resolve("audit-policy.yaml"), """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: ["RequestReceived"]
        rules:
          - level: Metadata
        """);
    this.server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withTestDir(controlPlane.root().toString())
        .withApiServerVersion(controlPlane.kubernetesVersion())
        .withOfflineMode(true)
        .withStartupTimeout(120_000)
        .withApiServerFlag("--audit-policy-file", policy.toString())
        .withApiServerFlag("--audit-log-path", auditLog.toString())
        // As OpenShift runs it: owner references and finalizers are checked against RBAC.
        .withApiServerFlag("--enable-admission-plugins", "OwnerReferencesPermissionEnforcement")
        .withApiServerFlags(extraFlags)
        .build());
    server.start();
    String yaml = server.getKubeConfigYaml();
    this.kubeconfig = Files.writeString(dir.resolve("admin.kubeconfig"), yaml);
    this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
    this.url = client.getMasterUrl().toString().replaceAll("/$", "");
  }

  /** The API server of this JVM, started on first use and stopped when the JVM exits. */
  public static synchronized RealKubeApiServer shared() {
    if (shared == null) {
      try {
        RealKubeApiServer started = new RealKubeApiServer(ControlPlane.locate(), List.of());
        Runtime.getRuntime().addShutdownHook(new Thread(started.server::stop, "kube-apiserver-stop"));
        shared = started;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  /**
   * An API server of the caller's own, for a test that needs an empty cluster (nothing installed
   * by other classes); {@link #close()} stops it.
   */
  public static RealKubeApiServer startDedicated(String... apiServerFlags) {
    try {
      return new RealKubeApiServer(ControlPlane.locate(), List.of(apiServerFlags));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops a dedicated server; the shared one stops when the JVM exits. */
  @Override
  public void close() {
    if (this != shared) {
      client.close();
      server.stop();
      dev.registrar.testing.TempDirs.deleteRecursively(dir);
    }
  }

  /**
   * A new client with the admin identity, to this server at {@code url} (a proxy in front of it),
   * that sends {@code userAgent}, so the audit log tells its calls apart.
   */
  public KubernetesClient newClient(String userAgent, String url) {
    return new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration())
        .withUserAgent(userAgent).withMasterUrl(url).build()).build();
  }

  /** A client with the admin identity (system:masters). */
  public KubernetesClient client() {
    return client;
  }

  /** The admin kubeconfig, for kubectl, helm and the operator jar. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  public String url() {
    return url;
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  /** The CRD as users install it (crds/, with the printer columns in the model's order). */
  public static final String CRD_FILE = "crds/serviceregistrations.registrar.dev-v1.yml";

  /** Installs the ServiceRegistration CRD from the repository's crds/, and waits until it is served. */
  public void installRegistrationCrd() {
    io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition crd;
    try (java.io.InputStream in = Files.newInputStream(dev.registrar.testing.RepositoryRoot.find().resolve(CRD_FILE))) {
      crd = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(in,
          io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    client.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (!served(crd.getMetadata().getName(), crd.getSpec().getNames().getPlural())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the API server did not serve " + crd.getMetadata().getName() + " within 30 s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private boolean served(String name, String plural) {
    var crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
    boolean established = crd != null && crd.getStatus() != null && crd.getStatus().getConditions().stream()
        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    // Discovery lags Established by a moment; kubectl and informers need both.
    return established && kubectl("get", plural, "-A").exit() == 0;
  }

  /** Creates the namespace unless it exists. */
  public void namespace(String name) {
    if (client.namespaces().withName(name).get() == null) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }
  }

  /**
   * A kubeconfig that authenticates as the ServiceAccount {@code namespace/name} (created if
   * missing) with a token from the TokenRequest API: what a Pod of that ServiceAccount would get.
   */
  public Path kubeconfigFor(String namespace, String name) {
    namespace(namespace);
    if (client.serviceAccounts().inNamespace(namespace).withName(name).get() == null) {
      client.serviceAccounts().inNamespace(namespace)
          .resource(new ServiceAccountBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }
    String token = client.serviceAccounts().inNamespace(namespace).withName(name)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
    String ca = client.getConfiguration().getCaCertFile();
    try {
      return Files.writeString(Files.createTempFile(dir, "sa-" + namespace + "-" + name + "-", ".kubeconfig"), """
          apiVersion: v1
          kind: Config
          clusters:
            - name: real
              cluster:
                server: %s
                certificate-authority: %s
          users:
            - name: %s
              user:
                token: %s
          contexts:
            - name: real
              context: {cluster: real, user: %s, namespace: %s}
          current-context: real
          """.formatted(url, ca, name, token, name, namespace));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code kubectl --kubeconfig <admin> args...}, with a cache of its own (no stale discovery). */
  public Command kubectl(String... args) {
    return Command.run(Command.of(controlPlane.kubectl(),
        List.of("--kubeconfig", kubeconfig.toString(), "--cache-dir", dir.resolve("kubectl-cache").toString()), args),
        Map.of(), Duration.ofSeconds(60));
  }

  /** The real {@code helm} (built with the control plane), with the admin kubeconfig. */
  public Command helm(String... args) {
    return Command.run(Command.of(controlPlane.helm(), List.of("--kubeconfig", kubeconfig.toString()), args),
        Map.of("HELM_CACHE_HOME", dir.resolve("helm-cache").toString(),
            "HELM_CONFIG_HOME", dir.resolve("helm-config").toString(),
            "HELM_DATA_HOME", dir.resolve("helm-data").toString()),
        Duration.ofSeconds(120));
  }

  /** What the audit log recorded of {@code username}'s requests so far, in order. */
  public List<AuditEvent> audit(String username) {
    return audit(username, null);
  }

  /** What the audit log recorded of the requests that sent {@code userAgent} (see {@link #newClient}). */
  public List<AuditEvent> auditOfAgent(String userAgent) {
    return audit(null, userAgent);
  }

  private List<AuditEvent> audit(String username, String userAgent) {
    ObjectMapper json = new ObjectMapper();
    List<AuditEvent> events = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(auditLog)) {
        JsonNode event = json.readTree(line);
        if ((username == null || username.equals(event.path("user").path("username").asText()))
            && (userAgent == null || userAgent.equals(event.path("userAgent").asText()))) {
          JsonNode object = event.path("objectRef");
          events.add(new AuditEvent(event.path("verb").asText(), object.path("apiGroup").asText(),
              object.path("resource").asText(), object.path("subresource").asText(),
              object.path("namespace").asText(), object.path("name").asText(),
              event.path("responseStatus").path("code").asInt(), event.path("requestURI").asText(),
              event.path("userAgent").asText()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return events;
  }

  /** One request in the audit log. */
  public record AuditEvent(String verb, String group, String resource, String subresource, String namespace,
      String name, int code, String uri, String userAgent) {

    private static final Pattern WATCH = Pattern.compile("[?&]watch=(true|1)");

    /** "group/resource[/subresource]", the form of docs/rbac.md's table. */
    public String permission() {
      return group + "/" + resource + (subresource.isEmpty() ? "" : "/" + subresource);
    }

    public boolean isWatch() {
      Matcher matcher = WATCH.matcher(uri);
      return "watch".equals(verb) || matcher.find();
    }
  }
}
