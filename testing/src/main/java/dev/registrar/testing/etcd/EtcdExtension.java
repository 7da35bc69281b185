package dev.registrar.testing.etcd;

import io.etcd.jetcd.Client;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that runs a real etcd for a test class or a single test.
 *
 * <pre>{@code
 * @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember(); // per class
 * @RegisterExtension final EtcdExtension cluster = EtcdExtension.cluster(3);         // per test
 * }</pre>
 *
 * <p>Registered on a static field, one etcd serves the whole class; on an instance field, every
 * test gets a fresh one. A missing etcd binary fails the test with the install command.
 */
public final class EtcdExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private final int size;
  private boolean clientTls;
  private EtcdCluster cluster;
  private boolean perTest;

  private EtcdExtension(int size) {
    this.size = size;
  }

  public static EtcdExtension singleMember() {
    return new EtcdExtension(1);
  }

  public static EtcdExtension cluster(int size) {
    return new EtcdExtension(size);
  }

  /** Clients must use TLS with a client certificate; see {@link EtcdCluster#withClientTls()}. */
  public EtcdExtension withClientTls() {
    this.clientTls = true;
    return this;
  }

  private EtcdCluster newCluster() {
    EtcdCluster created = EtcdCluster.ofSize(size);
    if (clientTls) {
      created.withClientTls();
    }
    return created.start();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = newCluster();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    closeCluster();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (cluster == null) {
      perTest = true;
      cluster = newCluster();
    } else if (!perTest) {
      // A test of the class may have stopped members; the next one starts from a healthy etcd.
      cluster.startAll();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      closeCluster();
    }
  }

  private void closeCluster() {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  public EtcdCluster etcd() {
    if (cluster == null) {
      throw new IllegalStateException("etcd is not running: is the extension registered?");
    }
    return cluster;
  }

  public Client client() {
    return etcd().client();
  }

  public List<String> endpoints() {
    return etcd().endpoints();
  }

  public String endpointList() {
    return etcd().endpointList();
  }

  /** What the real etcdctl (Debian's etcd-client) prints against this etcd, as a user runs it. */
  public String etcdctl(String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("etcdctl", "--endpoints", endpointList()));
    command.addAll(List.of(args));
    return dev.registrar.testing.process.Command.run(command, java.util.Map.of(), java.time.Duration.ofSeconds(20))
        .ok().out();
  }
}
