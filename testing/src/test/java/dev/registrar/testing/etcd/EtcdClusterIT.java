package dev.registrar.testing.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.options.GetOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The harness runs a real etcd: these tests prove it, and that faults can be injected. */
class EtcdClusterIT {

  @Test
  void singleMemberServesKeysAndLeasesAndCleansUp() throws Exception {
    Path dataDir;
    EtcdMember member;
    try (EtcdCluster etcd = EtcdCluster.singleMember().start()) {
      member = etcd.member(0);
      dataDir = member.dataDir();
      assertThat(etcd.endpoints()).singleElement().asString().startsWith("http://127.0.0.1:");

      Client client = etcd.client();
      long lease = client.getLeaseClient().grant(30).get(5, TimeUnit.SECONDS).getID();
      put(client, "/services/orders/10.0.0.1:8080", "{}", lease);

      assertThat(get(client, "/services/orders/10.0.0.1:8080")).isEqualTo("{}");
      KeyValue kv = client.getKVClient().get(bytes("/services/orders/10.0.0.1:8080"))
          .get(5, TimeUnit.SECONDS).getKvs().get(0);
      assertThat(kv.getLease()).isEqualTo(lease);
      assertThat(Files.isDirectory(dataDir)).isTrue();
    }
    assertThat(member.isRunning()).isFalse();
    assertThat(Files.exists(dataDir)).isFalse();
  }

  @Test
  void threeMemberClusterSurvivesTheLeaderBeingKilledAndTheRestartedMemberCatchesUp()
      throws Exception {
    try (EtcdCluster etcd = EtcdCluster.ofSize(3).start()) {
      Client client = etcd.client();
      put(client, "/k", "before", 0);

      int leader = leaderIndex(etcd);
      EtcdMember killed = etcd.member(leader);
      killed.kill();
      assertThat(killed.isRunning()).isFalse();

      // The two survivors elect a new leader and take writes.
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
          .untilAsserted(() -> put(client, "/k", "during", 0));
      assertThat(get(client, "/k")).isEqualTo("during");

      killed.start();
      killed.awaitHealthy(EtcdCluster.STARTUP_TIMEOUT);
      // A linearizable read through the restarted member alone: it has rejoined and caught up.
      try (Client only = Client.builder().endpoints(killed.clientUrl()).build()) {
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
            .untilAsserted(() -> assertThat(get(only, "/k")).isEqualTo("during"));
      }
    }
  }

  @Test
  void wholeClusterKilledAndRestartedKeepsItsData() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.ofSize(3).start()) {
      put(etcd.client(), "/durable", "yes", 0);

      etcd.killAll();
      assertThat(etcd.members()).noneMatch(EtcdMember::isRunning);
      etcd.startAll();

      try (Client fresh = etcd.newClient()) {
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
            .untilAsserted(() -> assertThat(get(fresh, "/durable")).isEqualTo("yes"));
      }
    }
  }

  private static int leaderIndex(EtcdCluster etcd) throws Exception {
    List<EtcdMember> members = etcd.members();
    for (int i = 0; i < members.size(); i++) {
      StatusResponse status = etcd.client().getMaintenanceClient()
          .statusMember(members.get(i).clientUrl()).get(5, TimeUnit.SECONDS);
      if (status.getLeader() == status.getHeader().getMemberId()) {
        return i;
      }
    }
    throw new AssertionError("no member reports itself as leader");
  }

  private static void put(Client client, String key, String value, long lease) throws Exception {
    var option = io.etcd.jetcd.options.PutOption.builder().withLeaseId(lease).build();
    client.getKVClient().put(bytes(key), bytes(value), option).get(5, TimeUnit.SECONDS);
  }

  private static String get(Client client, String key) throws Exception {
    GetResponse response =
        client.getKVClient().get(bytes(key), GetOption.DEFAULT).get(5, TimeUnit.SECONDS);
    return response.getKvs().isEmpty() ? null : response.getKvs().get(0).getValue().toString(UTF_8);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, UTF_8);
  }

  @Test
  void clientTlsWithClientCertificatesIsServedAndRequired() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.singleMember().withClientTls().start()) {
      assertThat(etcd.endpointList()).startsWith("https://127.0.0.1:");
      put(etcd.client(), "/tls", "yes", 0);
      assertThat(get(etcd.client(), "/tls")).isEqualTo("yes");

      // Without a client certificate etcd refuses the connection: jetcd never gets an answer...
      try (Client anonymous = Client.builder().endpoints(etcd.endpoints().toArray(String[]::new))
          .sslContext(ssl -> ssl.trustManager(etcd.tls().ca().toFile()))
          .connectTimeout(Duration.ofSeconds(2)).build()) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> anonymous.getKVClient()
            .get(bytes("/tls")).get(3, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.TimeoutException.class);
      }
      // ...because the TLS handshake itself is refused, as a plain TLS client shows.
      java.net.URI uri = java.net.URI.create(etcd.endpoints().get(0));
      javax.net.ssl.SSLContext context = trusting(etcd.tls().ca());
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
            .createSocket(uri.getHost(), uri.getPort())) {
          socket.setSoTimeout(5000);
          socket.startHandshake();
          socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          socket.getOutputStream().flush();
          socket.getInputStream().read();
        }
      }).isInstanceOf(javax.net.ssl.SSLException.class).hasMessageContaining("certificate");
    }
  }

  /** A TLS context that trusts only {@code ca} and has no client certificate. */
  static javax.net.ssl.SSLContext trusting(java.nio.file.Path ca) throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
    trust.load(null, null);
    try (var in = java.nio.file.Files.newInputStream(ca)) {
      trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory
        .getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
