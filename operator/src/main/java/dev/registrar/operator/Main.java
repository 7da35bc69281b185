package dev.registrar.operator;

import dev.registrar.operator.config.ConfigException;
import dev.registrar.operator.config.ConfigLoader;
import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.etcd.EtcdClientFactory;
import dev.registrar.operator.model.RequiredPermissions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar registrar-operator.jar --etcd-endpoints http://127.0.0.1:2379}.
 *
 * <p>SIGTERM and SIGINT are handled here rather than in a shutdown hook: the main thread stops
 * the operator (which releases the leader Lease) and then exits 0. Stopping from a shutdown hook
 * cannot choose the exit code, and anything in it that calls {@code System.exit} waits for ever on
 * the JVM's shutdown lock.
 */
public final class Main {

  /** Stopped by SIGTERM or SIGINT, cleanly. */
  static final int EXIT_STOPPED = 0;
  /** A failure to start with a valid configuration, or leadership lost without being asked to stop. */
  static final int EXIT_STARTUP = 1;
  static final int EXIT_LOST_LEADERSHIP = 1;
  /** A wrong or missing setting. */
  static final int EXIT_CONFIG = 2;
  /** The Kubernetes API could not be reached. */
  static final int EXIT_KUBERNETES_UNREACHABLE = 3;
  /** The Kubernetes API refuses a permission the configuration needs (RBAC). */
  static final int EXIT_FORBIDDEN = 4;

  /** How long the Kubernetes API may take to answer at start. */
  static final Duration KUBERNETES_WAIT = Duration.ofSeconds(10);
  /** A stop that takes longer than this halts the process: the pod must not hang until SIGKILL. */
  public static final Duration STOP_DEADLINE = Duration.ofSeconds(10);

  private Main() {}

  /** The JDK's property for the common pool's size, read once when the pool is first used. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    // With 2 CPUs (a usual limit for this pod) the common pool has 1 thread, and CompletableFuture
    // then starts a new thread for every async step: the JDK HTTP client under fabric8 does one
    // per API response (34,000 threads in 5 minutes of a 10,000-Pod gate mass, in a JFR profile).
    // Two threads make it use the pool. Set before anything touches CompletableFuture.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
    CompletableFuture<Integer> stop = new CompletableFuture<>();
    for (String signal : List.of("TERM", "INT")) {
      // jdk.unsupported's sun.misc.Signal is the JDK's only way to handle a signal ourselves.
      sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.complete(EXIT_STOPPED));
    }
    System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err, stop));
  }

  /** Chooses the log format and level before the first logger exists. */
  static void configureLogging(RegistrarConfig config) {
    System.setProperty("registrar.logLevel", config.logLevel().toUpperCase(java.util.Locale.ROOT));
    if (config.jsonLogs()) {
      System.setProperty("log4j2.configurationFile", "log4j2-json.xml");
    }
  }

  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    return run(args, env, out, err, new CompletableFuture<>());
  }

  /**
   * Runs until {@code stop} completes or leadership is lost; returns the exit code. Help and
   * errors return at once.
   */
  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
      CompletableFuture<Integer> stop) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(ConfigLoader.usage());
      return 0;
    }
    RegistrarConfig config;
    try {
      config = ConfigLoader.load(args, env);
    } catch (ConfigException e) {
      err.println("registrar: invalid configuration: " + e.getMessage());
      return EXIT_CONFIG;
    }
    configureLogging(config);
    Logger log = LoggerFactory.getLogger(Main.class);

    KubernetesClient kubernetes;
    try {
      kubernetes = new KubernetesClientBuilder().build();
    } catch (RuntimeException e) {
      log.debug("building the Kubernetes client failed", e);
      err.println("registrar: cannot configure the Kubernetes client: " + KubernetesApiCheck.describe(e));
      return EXIT_KUBERNETES_UNREACHABLE;
    }
    String url = kubernetes.getConfiguration().getMasterUrl();
    String source = KubernetesApiCheck.source(kubernetes.getConfiguration(), env);
    Optional<String> unreachable = KubernetesApiCheck.problem(kubernetes, KUBERNETES_WAIT);
    if (unreachable.isPresent()) {
      err.println("registrar: cannot reach the Kubernetes API at " + url + " (from " + source + "): "
          + unreachable.get());
      kubernetes.close();
      return EXIT_KUBERNETES_UNREACHABLE;
    }
    log.debug("Kubernetes API at {} (from {})", url, source);

    var permissions = RequiredPermissions.of(new RequiredPermissions.Scope(config.watchNamespaces(),
        config.podReadinessGate(), config.topology(), config.namePolicy().readsNamespaces(),
        config.leaderElection() ? Optional.ofNullable(RegistrarOperator.leaderLeaseNamespace(config, kubernetes))
            : Optional.empty()));
    KubernetesPermissionCheck.Outcome permitted = KubernetesPermissionCheck.check(kubernetes, permissions);
    if (permitted instanceof KubernetesPermissionCheck.Outcome.Denied denied) {
      err.println("registrar: the Kubernetes API at " + url + " refuses " + denied.refusals().size()
          + " permission(s) this configuration needs: its calls would be answered 403 Forbidden (asked as "
          + identity(kubernetes) + " with SelfSubjectAccessReviews):");
      denied.refusals().forEach(refusal -> err.println("registrar:   forbidden: " + refusal));
      err.println("registrar: grant them to the operator's ServiceAccount (the Helm chart does; docs/rbac.md lists each)"
          + ", or turn off the setting that needs them");
      kubernetes.close();
      return EXIT_FORBIDDEN;
    } else if (permitted instanceof KubernetesPermissionCheck.Outcome.Unknown unknown && unknown.refused()) {
      log.warn("Could not check the operator's Kubernetes permissions at start ({}); a missing one shows as a 403 "
          + "when it is first used", unknown.why());
    } else if (permitted instanceof KubernetesPermissionCheck.Outcome.Unknown unknown) {
      log.debug("Kubernetes permissions not checked at start: {}", unknown.why());
    } else {
      log.debug("Kubernetes grants all {} permissions this configuration needs", permissions.size());
    }

    RegistrarOperator operator;
    try {
      operator = new RegistrarOperator(config, kubernetes, EtcdClientFactory.create(config));
    } catch (ConfigException e) {
      err.println("registrar: invalid configuration: " + e.getMessage());
      kubernetes.close();
      return EXIT_CONFIG;
    } catch (RuntimeException e) {
      // A valid configuration the machine cannot honour, such as an HTTP port already taken.
      log.debug("setting up failed", e);
      err.println("registrar: could not start: " + KubernetesApiCheck.describe(e));
      kubernetes.close();
      return EXIT_STARTUP;
    }
    // Any other way the JVM ends (System.exit elsewhere, SIGHUP): stop in order, never exit here.
    Runtime.getRuntime().addShutdownHook(new Thread(operator::close, "registrar-shutdown"));
    try {
      operator.start();
    } catch (RuntimeException e) {
      log.debug("start failed", e);
      err.println("registrar: could not start: " + KubernetesApiCheck.describe(e));
      operator.close();
      kubernetes.close();
      return EXIT_STARTUP;
    }
    operator.lostLeadership().thenRun(() -> stop.complete(EXIT_LOST_LEADERSHIP));

    int code = stop.join();
    log.info("Stopping Registrar ({})", code == EXIT_STOPPED ? "signal" : "leadership lost: the pod restarts");
    haltIfStuck(code, log);
    operator.close();
    kubernetes.close();
    log.info("Registrar stopped");
    return code;
  }

  /** Who the client authenticates as, in words, for the 403 message. */
  private static String identity(KubernetesClient kubernetes) {
    var context = kubernetes.getConfiguration().getCurrentContext();
    return context == null ? "the in-cluster ServiceAccount" : "kubeconfig user " + context.getContext().getUser();
  }

  private static void haltIfStuck(int code, Logger log) {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(STOP_DEADLINE.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      log.error("Registrar did not stop within {} s; halting", STOP_DEADLINE.toSeconds());
      Runtime.getRuntime().halt(code == EXIT_STOPPED ? EXIT_STARTUP : code);
    }, "registrar-stop-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
