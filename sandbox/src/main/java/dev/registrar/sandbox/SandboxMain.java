package dev.registrar.sandbox;

import dev.registrar.operator.model.AllowedNames;
import dev.registrar.operator.model.NamePolicy;
import dev.registrar.testing.kubernetes.KubeletRules;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar sandbox/target/registrar-sandbox.jar [--demo]} (or {@code ./registrar sandbox}):
 * Registrar with a real etcd and a local Kubernetes API, for evaluation and development only.
 */
public final class SandboxMain {

  static final int EXIT_DEMO_FAILED = 1;
  static final int EXIT_USAGE = 2;

  static final String USAGE = """
      Usage: registrar sandbox [--demo] [--api auto|real|mock] [--clusters N] [--etcd-endpoints URL]
                               [--http-port N] [--name-policy POLICY]

      Runs Registrar on this machine without a cluster: a real etcd (started as a child process
      with a temporary data dir), a Kubernetes API that kubectl can use, a simulated kubelet, and
      the operator. The Kubernetes API is a real kube-apiserver and kube-controller-manager
      (Deployments, validation, kubectl's tables) when scripts/control-plane.sh has built them,
      else fabric8's mock server (bare Pods only). For evaluation and development only; install
      it in a real cluster with Helm.

        --demo                 run a scripted walkthrough and exit: 0 when every step held, 1 if not
        --api auto|real|mock   real: the real control plane, built first if it is not (about 8 minutes
                               once, progress shown); mock: fabric8's mock server; auto (default): real
                               when built, else mock
        --clusters N           N clusters (1 to 3, default 1), each with its Kubernetes API, kubelet and
                               operator (cluster names sandbox-1, sandbox-2, ...), all on the one etcd:
                               one service fed by several clusters (spec.clusterSet: Shared)
        --etcd-endpoints URL   use this etcd instead of starting one
        --http-port N          the operator's /metrics, /healthz and /readyz port (default: a free one)
        --name-policy POLICY   who may publish which service name: any (default), namespace-prefix, or
                               namespace-annotation (the chart's default: names granted on the Namespace)
        --help                 this text
      """;

  /** Which Kubernetes API the sandbox runs. */
  enum Api { AUTO, REAL, MOCK }

  record Options(boolean demo, Optional<String> etcdEndpoints, int httpPort, NamePolicy namePolicy, Api api,
      int clusters) {
    Options(boolean demo, Optional<String> etcdEndpoints, int httpPort, NamePolicy namePolicy, Api api) {
      this(demo, etcdEndpoints, httpPort, namePolicy, api, 1);
    }
  }

  static final int MAX_CLUSTERS = 3;

  private SandboxMain() {}

  public static void main(String[] args) {
    int code = run(List.of(args), System.out, System.err);
    System.exit(code);
  }

  static Options parse(List<String> args) {
    List<String> rest = new ArrayList<>(args);
    if (!rest.isEmpty() && rest.get(0).equals("sandbox")) {
      rest.remove(0);
    }
    boolean demo = false;
    Optional<String> endpoints = Optional.empty();
    int port = 0;
    NamePolicy policy = NamePolicy.ANY;
    Api api = Api.AUTO;
    int clusters = 1;
    for (int i = 0; i < rest.size(); i++) {
      String arg = rest.get(i);
      switch (arg) {
        case "--demo" -> demo = true;
        case "--etcd-endpoints" -> endpoints = Optional.of(value(rest, ++i, arg));
        case "--http-port" -> {
          String value = value(rest, ++i, arg);
          try {
            port = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--http-port: '" + value + "' is not a port number");
          }
          if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--http-port: " + port + " is not between 0 and 65535");
          }
        }
        case "--name-policy" -> {
          String value = value(rest, ++i, arg);
          policy = NamePolicy.parse(value).orElseThrow(() -> new IllegalArgumentException(
              "--name-policy: '" + value + "' must be one of " + String.join(", ", NamePolicy.texts())));
        }
        case "--clusters" -> {
          String value = value(rest, ++i, arg);
          try {
            clusters = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--clusters: '" + value + "' is not a number");
          }
          if (clusters < 1 || clusters > MAX_CLUSTERS) {
            throw new IllegalArgumentException("--clusters: " + clusters + " is not between 1 and " + MAX_CLUSTERS);
          }
        }
        case "--api" -> {
          String value = value(rest, ++i, arg);
          api = switch (value) {
            case "auto" -> Api.AUTO;
            case "real" -> Api.REAL;
            case "mock" -> Api.MOCK;
            default -> throw new IllegalArgumentException("--api: '" + value + "' must be one of auto, real, mock");
          };
        }
        default -> throw new IllegalArgumentException("unknown argument '" + arg + "' (see --help)");
      }
    }
    return new Options(demo, endpoints, port, policy, api, clusters);
  }

  private static String value(List<String> args, int index, String flag) {
    if (index >= args.size() || args.get(index).startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args.get(index);
  }

  /** Returns the exit code; interactive mode returns only when the JVM is asked to stop. */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("registrar sandbox: " + e.getMessage());
      return EXIT_USAGE;
    }
    if (options.etcdEndpoints().isEmpty() && !EtcdSetup.ensure(out, err)) {
      return EXIT_USAGE;
    }
    Path workDir;
    try {
      workDir = Files.createTempDirectory("registrar-sandbox-");
    } catch (IOException e) {
      err.println("registrar sandbox: cannot create a temporary folder: " + e.getMessage());
      return 1;
    }
    quietLogging(workDir.resolve("registrar.log"));

    Optional<Boolean> real = RealControlPlane.choose(options.api(), out, err);
    if (real.isEmpty()) {
      return 1;
    }
    out.println("Starting the Registrar sandbox (etcd, Kubernetes API, kubelet, operator) ...");
    Sandbox sandbox;
    try {
      sandbox = Sandbox.start(workDir, options.etcdEndpoints(), options.httpPort(), options.namePolicy(), real.get(),
          options.clusters());
    } catch (RuntimeException e) {
      err.println("registrar sandbox: could not start: " + e);
      return 1;
    }
    printWhereThingsAre(sandbox, options, out);
    if (options.demo()) {
      try (Client etcd = Client.builder().endpoints(sandbox.etcdEndpoints.split(",")).build()) {
        return new Demo(sandbox.api.client(), etcd, out, sandbox.api.real(), sandbox.clusters).run();
      } finally {
        sandbox.close();
        out.println("Sandbox stopped; removed " + workDir + sandbox.etcdDataDir().map(d -> " and " + d).orElse(""));
      }
    }
    printNextSteps(sandbox, options, out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sandbox.close();
      out.println("Sandbox stopped; removed " + workDir + sandbox.etcdDataDir().map(d -> " and " + d).orElse(""));
      out.flush();
      stopped.countDown();
    }, "sandbox-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** The console is for the user: the operator logs to a file, the mock server's JUL logs go nowhere. */
  private static void quietLogging(Path logFile) {
    System.setProperty("registrar.sandbox.log", logFile.toString());
    System.setProperty("log4j2.configurationFile", "log4j2-sandbox.xml");
    java.util.logging.LogManager.getLogManager().reset();
  }

  private static void printWhereThingsAre(Sandbox sandbox, Options options, PrintStream out) {
    out.println("  etcd            " + sandbox.etcdEndpoints + (options.etcdEndpoints().isPresent()
        ? " (given with --etcd-endpoints)"
        : " (a real etcd started by the sandbox; data in " + sandbox.etcdDataDir().orElseThrow() + ")"));
    if (sandbox.clusters.size() == 1) {
      out.println("  Kubernetes API  " + sandbox.api.url() + " (" + sandbox.api.description() + ")");
    } else {
      for (Sandbox.Member cluster : sandbox.clusters) {
        out.println("  cluster " + cluster.clusterName + "  Kubernetes API " + cluster.api.url() + ", kubeconfig "
            + cluster.api.kubeconfig() + ", operator http://127.0.0.1:" + cluster.httpPort() + "/metrics");
      }
      out.println("  each cluster    " + sandbox.api.description());
    }
    RealControlPlane.kubectl().filter(k -> sandbox.api.real())
        .ifPresent(kubectl -> out.println("  kubectl         " + kubectl + " (the same build; any recent kubectl works)"));
    out.println("  operator        " + (sandbox.clusters.size() == 1 ? "http://127.0.0.1:" + sandbox.httpPort()
        + "/metrics, cluster name \"" + Sandbox.CLUSTER_NAME + "\"" : sandbox.clusters.size() + " operators, one per cluster")
        + ", name policy " + options.namePolicy().text() + "; log: " + sandbox.log());
    out.println("  sandbox files   " + sandbox.workDir);
  }

  private static void printNextSteps(Sandbox sandbox, Options options, PrintStream out) {
    String etcdctl = "etcdctl --endpoints " + sandbox.etcdEndpoints;
    out.println();
    out.println("The sandbox is running. In another terminal, from the repository root:");
    out.println();
    out.println("  export KUBECONFIG=" + sandbox.kubeconfig);
    switch (options.namePolicy()) {
      case NAMESPACE_ANNOTATION -> out.println("  kubectl annotate namespace " + Sandbox.NAMESPACE + " "
          + AllowedNames.ANNOTATION + "=web   # name policy namespace-annotation: an admin grants the name");
      case NAMESPACE_PREFIX -> out.println("  # name policy namespace-prefix: in namespace " + Sandbox.NAMESPACE
          + " only the names " + Sandbox.NAMESPACE + " and " + Sandbox.NAMESPACE + "-* may be published; web is refused");
      case ANY -> { }
    }
    if (sandbox.api.real()) {
      out.println("  kubectl apply -f examples/sandbox/                  # 3 bare Pods and their registration \"web\"");
      out.println("  kubectl get svcreg                                  # NAME SERVICE READY ENDPOINTS AGE");
      out.println("  kubectl get pods -o wide");
      out.println("  " + etcdctl + " get --prefix /services/");
      out.println("  " + etcdctl + " lease timetolive --keys $(kubectl get svcreg web -o jsonpath='{.status.leaseId}')");
      out.println("  kubectl annotate pod web-2 " + KubeletRules.READY_ANNOTATION + "=false --overwrite   # web-2 unready: its key goes");
      out.println("  kubectl delete pod web-3");
      out.println("  kubectl apply -f examples/quickstart/               # a Deployment of 3 with the readiness gate");
      out.println("  kubectl rollout restart deployment/orders && kubectl rollout status deployment/orders");
      out.println("  kubectl get svcreg -w                               # ENDPOINTS never below 3 during the rollout");
      out.println("  kubectl delete svcreg web                           # lease revoked, keys gone");
    } else {
      out.println("  kubectl apply --validate=false -f examples/sandbox/");
      out.println("  kubectl get svcreg -o custom-columns='" + Columns.SVCREG + "'");
      out.println("  kubectl get pods -o custom-columns='" + Columns.PODS + "'");
      out.println("  " + etcdctl + " get --prefix /services/");
      out.println("  " + etcdctl + " lease timetolive --keys $(kubectl get svcreg web -o jsonpath='{.status.leaseId}')");
      out.println("  kubectl annotate pod web-2 " + KubeletRules.READY_ANNOTATION + "=false --overwrite   # web-2 unready: its key goes");
      out.println("  kubectl delete pod web-3");
      out.println("  kubectl delete svcreg web                                             # lease revoked, keys gone");
    }
    if (sandbox.clusters.size() > 1) {
      Sandbox.Member second = sandbox.clusters.get(1);
      String other = "kubectl --kubeconfig " + second.api.kubeconfig();
      String shared = " patch svcreg web --type merge -p '{\"spec\":{\"clusterSet\":\"Shared\"}}'";
      out.println();
      out.println("  # Before that delete, cluster " + second.clusterName + " too: the same registration, shared by both");
      out.println("  " + other + " apply" + (sandbox.api.real() ? "" : " --validate=false") + " -f examples/sandbox/");
      out.println("  kubectl" + shared + "     # in " + sandbox.clusters.get(0).clusterName);
      out.println("  " + other + shared);
      out.println("  kubectl get svcreg web -o jsonpath='{.status.otherClusters}'   # what the other cluster contributes");
      out.println("  " + etcdctl + " get --prefix /services/web/   # both clusters' keys, owner.cluster says whose");
    }
    out.println();
    out.println("Ctrl-C stops everything and removes the temporary files.");
    out.flush();
  }

  /** kubectl's custom columns on the mock server, which returns no tables (printer columns are not shown). */
  static final class Columns {
    static final String SVCREG = "NAME:.metadata.name,SERVICE:.spec.serviceName,"
        + "READY:.status.conditions[?(@.type==\"Ready\")].status,"
        + "REASON:.status.conditions[?(@.type==\"Ready\")].reason,"
        + "ENDPOINTS:.status.registeredEndpoints,LEASE:.status.leaseId";
    static final String PODS = "NAME:.metadata.name,IP:.status.podIP,"
        + "READY:.status.conditions[?(@.type==\"Ready\")].status";

    private Columns() {}
  }
}
