package dev.registrar.testing.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real etcd process. Its ports and data dir stay the same across stop/kill/start, so a
 * restarted member rejoins its cluster with its data.
 */
public final class EtcdMember {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private final Path binary;
  private final String name;
  private final Path dataDir;
  private final Path logFile;
  private final int clientPort;
  private final int peerPort;
  private final int metricsPort;
  private final TlsFiles tls;
  private volatile String initialCluster;
  private volatile String clusterToken;
  private volatile Process process;

  EtcdMember(Path binary, String name, Path workDir, int clientPort, int peerPort, int metricsPort,
      TlsFiles tls) {
    this.binary = binary;
    this.name = name;
    this.dataDir = workDir.resolve(name + ".data");
    this.logFile = workDir.resolve(name + ".log");
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.metricsPort = metricsPort;
    this.tls = tls;
  }

  void joinCluster(String initialCluster, String clusterToken) {
    this.initialCluster = initialCluster;
    this.clusterToken = clusterToken;
  }

  public String name() {
    return name;
  }

  /** {@code http://127.0.0.1:port}, or {@code https://} when the cluster serves TLS. */
  public String clientUrl() {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + clientPort;
  }

  public String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Starts the process (again), keeping the data dir; does not wait for health. */
  public synchronized void start() {
    if (isRunning()) {
      throw new IllegalStateException("etcd member " + name + " is already running");
    }
    List<String> command = new ArrayList<>(List.of(
        binary.toString(),
        "--logger=zap",
        "--log-level=warn",
        "--name", name,
        "--data-dir", dataDir.toString(),
        "--listen-client-urls", clientUrl(),
        "--advertise-client-urls", clientUrl(),
        "--listen-peer-urls", peerUrl(),
        "--initial-advertise-peer-urls", peerUrl(),
        "--initial-cluster", initialCluster,
        "--initial-cluster-token", clusterToken,
        "--initial-cluster-state", "new",
        // Plain-HTTP /health and /metrics, whatever the client URLs require.
        "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort));
    if (tls != null) {
      command.addAll(List.of(
          "--cert-file", tls.serverCert().toString(),
          "--key-file", tls.serverKey().toString(),
          "--trusted-ca-file", tls.ca().toString(),
          "--client-cert-auth"));
    }
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start etcd member " + name + ": " + command, e);
    }
  }

  /** Graceful stop (SIGTERM), waiting for the process to exit. */
  public synchronized void stop() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    if (!waitForExit(p, Duration.ofSeconds(10))) {
      p.destroyForcibly();
      waitForExit(p, Duration.ofSeconds(10));
    }
  }

  /** Crash (SIGKILL): no chance to flush or say goodbye to peers. */
  public synchronized void kill() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroyForcibly();
    waitForExit(p, Duration.ofSeconds(10));
  }

  /** Freezes the process (SIGSTOP): it keeps its sockets but answers nothing, like a hung host. */
  public void pause() {
    signal("STOP");
  }

  /** Resumes a paused process (SIGCONT). */
  public void resume() {
    signal("CONT");
  }

  /** Kills and starts again with the same data dir and ports. */
  public void restart() {
    kill();
    start();
  }

  /** True when this member answers {@code /health} with {@code "health":"true"} (it sees a leader). */
  public boolean isHealthy() {
    if (!isRunning()) {
      return false;
    }
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/health"))
              .timeout(Duration.ofSeconds(1)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && response.body().contains("\"health\":\"true\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits until healthy; on timeout fails with the tail of the member's log. */
  public void awaitHealthy(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!isRunning()) {
        throw new IllegalStateException("etcd member " + name + " exited with code "
            + process.exitValue() + ":\n" + logTail());
      }
      if (isHealthy()) {
        return;
      }
      pollPause();
    }
    throw new IllegalStateException("etcd member " + name + " was not healthy within " + timeout
        + ":\n" + logTail());
  }

  /** The last lines etcd printed, for failure messages. */
  public String logTail() {
    try {
      if (!Files.exists(logFile)) {
        return "(no log)";
      }
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  boolean logMentionsPortInUse() {
    return logTail().contains("address already in use");
  }

  private void signal(String signal) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("etcd member " + name + " is not running");
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean waitForExit(Process p, Duration timeout) {
    try {
      return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  // Polling a child process's health endpoint: there is no event to wait for.
  private static void pollPause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for etcd", e);
    }
  }
}
