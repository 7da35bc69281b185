package dev.registrar.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.operator.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The shipped jar, run as its own JVM the way the image runs it: environment only, no flags. */
public final class OperatorProcess implements AutoCloseable {

  public static final Path JAR = RepoPaths.moduleDir().resolve("target/registrar-operator.jar");

  private final Process process;
  private final Path log;
  private final int httpPort;

  private OperatorProcess(Process process, Path log, int httpPort) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  /**
   * Starts the jar with {@code env} (REGISTRAR_* and KUBECONFIG of the test's own environment are
   * removed) and {@code args}; output goes to {@code log}. REGISTRAR_HTTP_PORT is set to a free
   * port unless {@code env} sets it.
   */
  public static OperatorProcess launch(List<String> args, Map<String, String> env, Path log) {
    return launch(List.of(), args, env, log);
  }

  /** The same, with options for the JVM itself ({@code -Duser.home=...}). */
  public static OperatorProcess launch(List<String> jvmOptions, List<String> args, Map<String, String> env, Path log) {
    assertThat(JAR).withFailMessage("%s was not built: run ./mvnw package first", JAR).exists();
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("REGISTRAR_") || k.equals("KUBECONFIG"));
    int port = env.containsKey("REGISTRAR_HTTP_PORT") ? Integer.parseInt(env.get("REGISTRAR_HTTP_PORT")) : freePort();
    builder.environment().put("REGISTRAR_HTTP_PORT", Integer.toString(port));
    builder.environment().putAll(env);
    try {
      return new OperatorProcess(builder.start(), log, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGSTOP: the JVM freezes, sockets open, like a hung node. */
  public void freeze() {
    signal("STOP");
  }

  /** SIGCONT. */
  public void thaw() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM, as the kubelet sends it. */
  public void sigterm() {
    process.destroy();
  }

  /** Waits for the exit; the exit code, or empty if still running after {@code within}. */
  public Optional<Integer> awaitExit(Duration within) {
    try {
      return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(process.exitValue()) : Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Reconciles started, from JOSDK's metrics: a standby never reconciles. -1 if /metrics does not answer. */
  public long reconciles() {
    try {
      String body = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return (long) body.lines().filter(l -> l.startsWith("operator_sdk_reconciliations_started_total"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The status code of GET {@code path} on the operator's HTTP port, or -1 when it does not answer. */
  public int get(String path) {
    try {
      return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Kills the process if a test left it running. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      awaitExit(Duration.ofSeconds(10));
    }
  }
}
