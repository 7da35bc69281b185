package dev.registrar.operator;

import dev.registrar.operator.config.ConfigException;
import dev.registrar.operator.config.ConfigLoader;
import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.etcd.EtcdClientFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar registrar-operator.jar --etcd-endpoints http://127.0.0.1:2379}. */
public final class Main {

  /** Exit code of a wrong or missing setting. */
  static final int EXIT_CONFIG = 2;

  /** Exit code of a failure to start with a valid configuration. */
  static final int EXIT_STARTUP = 1;

  private Main() {}

  public static void main(String[] args) {
    int code = run(Arrays.asList(args), System.getenv(), System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Chooses the log format and level before the first logger exists. */
  static void configureLogging(RegistrarConfig config) {
    System.setProperty("registrar.logLevel", config.logLevel().toUpperCase(java.util.Locale.ROOT));
    if (config.jsonLogs()) {
      System.setProperty("log4j2.configurationFile", "log4j2-json.xml");
    }
  }

  /** Runs until the JVM is asked to stop; returns at once with an exit code for help or errors. */
  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
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
    CountDownLatch stopped = new CountDownLatch(1);
    KubernetesClient kubernetes = null;
    try {
      kubernetes = new KubernetesClientBuilder().build();
      RegistrarOperator operator = new RegistrarOperator(config, kubernetes, EtcdClientFactory.create(config));
      KubernetesClient kube = kubernetes;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        log.info("Stopping Registrar");
        operator.close();
        kube.close();
        stopped.countDown();
      }, "registrar-shutdown"));
      operator.start();
    } catch (ConfigException e) {
      err.println("registrar: invalid configuration: " + e.getMessage());
      return EXIT_CONFIG;
    } catch (RuntimeException e) {
      log.error("Registrar could not start: {}", e.getMessage(), e);
      if (kubernetes != null) {
        kubernetes.close();
      }
      return EXIT_STARTUP;
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
