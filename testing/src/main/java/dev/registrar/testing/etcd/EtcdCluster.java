package dev.registrar.testing.etcd;

import dev.registrar.testing.TempDirs;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A real etcd of one or more members on free loopback ports, in a temporary directory that is
 * deleted on {@link #close()}. Members can be stopped, killed, paused and restarted one at a
 * time or all together; their data dirs survive until close.
 */
public final class EtcdCluster implements AutoCloseable {

  public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

  // Etcd processes outlive a JVM that dies abruptly unless somebody kills them.
  private static final Set<EtcdCluster> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> RUNNING.forEach(EtcdCluster::killAll), "etcd-harness-cleanup"));
  }

  private final int size;
  private final Path binary;
  private boolean clientTls;
  private TlsFiles tls;
  private Path workDir;
  private List<EtcdMember> members = List.of();
  private Client client;

  private EtcdCluster(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("an etcd cluster needs at least one member");
    }
    this.size = size;
    this.binary = EtcdBinary.locate();
  }

  /** A single-member etcd, not yet started. */
  public static EtcdCluster singleMember() {
    return new EtcdCluster(1);
  }

  /** An etcd cluster of {@code size} members, not yet started. */
  public static EtcdCluster ofSize(int size) {
    return new EtcdCluster(size);
  }

  /**
   * Serves clients over TLS only and requires client certificates (etcd's
   * {@code --client-cert-auth}), with a throwaway CA generated at start. Call before
   * {@link #start()}.
   */
  public EtcdCluster withClientTls() {
    this.clientTls = true;
    return this;
  }

  /** The CA, server and client certificates when the cluster serves TLS, else null. */
  public TlsFiles tls() {
    return tls;
  }

  /** Starts every member and waits until all are healthy. Retries once on a port race. */
  public synchronized EtcdCluster start() {
    if (!members.isEmpty()) {
      throw new IllegalStateException("already started");
    }
    IllegalStateException lastFailure = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      try {
        workDir = Files.createTempDirectory("registrar-etcd-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (clientTls) {
        tls = TlsFiles.generate(workDir.resolve("tls"));
      }
      members = createMembers();
      RUNNING.add(this);
      try {
        members.forEach(EtcdMember::start);
        awaitHealthy();
        return this;
      } catch (IllegalStateException e) {
        lastFailure = e;
        boolean portRace = members.stream().anyMatch(EtcdMember::logMentionsPortInUse);
        killAll();
        TempDirs.deleteRecursively(workDir);
        members = List.of();
        RUNNING.remove(this);
        if (!portRace) {
          break;
        }
      }
    }
    throw lastFailure;
  }

  private List<EtcdMember> createMembers() {
    int[] ports = FreePorts.allocate(size * 3);
    List<EtcdMember> created = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      created.add(new EtcdMember(binary, "m" + (i + 1), workDir, ports[3 * i], ports[3 * i + 1],
          ports[3 * i + 2], tls));
    }
    String initialCluster = created.stream()
        .map(m -> m.name() + "=" + m.peerUrl())
        .collect(Collectors.joining(","));
    String token = "registrar-test-" + UUID.randomUUID();
    created.forEach(m -> m.joinCluster(initialCluster, token));
    return List.copyOf(created);
  }

  /** The temporary folder holding every member's data and log; deleted by {@link #close()}. */
  public Path workDir() {
    return workDir;
  }

  public List<EtcdMember> members() {
    return members;
  }

  /** Member {@code index}, counted from 0. */
  public EtcdMember member(int index) {
    return members.get(index);
  }

  /** Client URLs of every member, such as {@code http://127.0.0.1:40123}. */
  public List<String> endpoints() {
    return members.stream().map(EtcdMember::clientUrl).toList();
  }

  /** Client URLs joined by commas, the form REGISTRAR_ETCD_ENDPOINTS takes. */
  public String endpointList() {
    return String.join(",", endpoints());
  }

  /** A jetcd client to every member, created on first use and closed with the cluster. */
  public synchronized Client client() {
    if (client == null) {
      client = newClient();
    }
    return client;
  }

  /** A new jetcd client to every member (with the client certificate under TLS); the caller closes it. */
  public Client newClient() {
    return clientBuilder().build();
  }

  /** A jetcd client builder for every member, to add credentials to. */
  public ClientBuilder clientBuilder() {
    ClientBuilder builder = Client.builder().endpoints(endpoints().toArray(String[]::new));
    if (tls != null) {
      try {
        builder.sslContext(ssl -> ssl.trustManager(tls.ca().toFile())
            .keyManager(tls.clientCert().toFile(), tls.clientKey().toFile()));
      } catch (javax.net.ssl.SSLException e) {
        throw new IllegalStateException("cannot use the test certificates", e);
      }
    }
    return builder;
  }

  /** Waits until every running member sees a leader. */
  public void awaitHealthy() {
    for (EtcdMember member : members) {
      if (member.isRunning()) {
        member.awaitHealthy(STARTUP_TIMEOUT);
      }
    }
  }

  /** SIGTERM to every member. */
  public void stopAll() {
    members.forEach(EtcdMember::stop);
  }

  /** SIGKILL to every member. */
  public void killAll() {
    members.forEach(EtcdMember::kill);
  }

  /** Starts every member that is not running and waits until all are healthy. */
  public void startAll() {
    members.stream().filter(m -> !m.isRunning()).forEach(EtcdMember::start);
    awaitHealthy();
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
    killAll();
    RUNNING.remove(this);
    TempDirs.deleteRecursively(workDir);
    members = List.of();
  }
}
