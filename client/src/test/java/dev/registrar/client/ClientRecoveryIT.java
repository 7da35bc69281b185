package dev.registrar.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.testing.FaultDuration;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.net.TcpProxy;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How fast the client library finds its feet again, and how soon it admits it cannot see. */
class ClientRecoveryIT {

  @RegisterExtension
  final EtcdExtension etcd = EtcdExtension.singleMember();

  static final EndpointValue VALUE = new EndpointValue("1.0", 100, "10.30.0.1", 8080, "http", null, null, null,
      Map.of(), null);

  /**
   * One application: it registers itself and discovers its peers through one jetcd client. The
   * outage is twice the TTL, so jetcd's keepalive gives up; etcd still has the lease after its
   * restart, and the registrar must ask before it replaces anything.
   */
  @Test
  void afterA30SecondOutageDiscoveryAndRegistrationRecoverWithinSeconds() throws Exception {
    Client client = etcd.client();
    try (ServiceRegistrar registrar = new ServiceRegistrar(client, RegistryPrefix.DEFAULT, Duration.ofSeconds(15));
         ServiceDiscovery discovery = ServiceDiscovery.watch(client, RegistryPrefix.DEFAULT, "recovery")) {
      long lease = registrar.register("recovery", VALUE).get(10, TimeUnit.SECONDS);
      assertThat(discovery.awaitInitialSync(Duration.ofSeconds(10))).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> discovery.instances("recovery").size() == 1);

      long down = System.nanoTime();
      etcd.etcd().killAll();
      await().atMost(Duration.ofSeconds(10)).until(discovery::isStale);
      assertThat(discovery.instances("recovery")).as("last known good").hasSize(1);
      FaultDuration.holdUntil(down, Duration.ofSeconds(30));
      etcd.etcd().startAll();
      long up = System.nanoTime();

      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> !discovery.isStale() && discovery.instances("recovery").size() == 1);
      long discoveryMs = (System.nanoTime() - up) / 1_000_000;
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> registrar.state() == ServiceRegistrar.State.REGISTERED && keyIsOnTheLease(lease));
      long registrarMs = (System.nanoTime() - up) / 1_000_000;
      System.out.printf("client recovery after a 30 s etcd outage: discovery fresh %d ms, registrar confirmed "
          + "%d ms after etcd was back (same lease %x)%n", discoveryMs, registrarMs, lease);
      assertThat(registrar.leaseId()).isEqualTo(lease);
      // Within a few seconds, not after gRPC's reconnect backoff of up to two minutes.
      assertThat(discoveryMs).isLessThan(15_000);
    }
  }

  private boolean keyIsOnTheLease(long lease) throws Exception {
    try (Client fresh = etcd.etcd().newClient()) {
      var kvs = ServiceRegistrarIT.get(fresh, "/services/recovery/10.30.0.1:8080");
      return kvs.size() == 1 && kvs.get(0).getLease() == lease;
    }
  }

  /** A network that silently drops everything: no error, no reset, only no answers. */
  @Test
  void aSilentFreezeMarksTheViewStaleWithinProbeIntervalPlusTimeout() throws Exception {
    ServiceRegistrarIT.get(etcd.client(), "/"); // etcd is up
    try (TcpProxy proxy = TcpProxy.inFrontOf(etcd.endpointList());
         Client client = Client.builder().endpoints(proxy.url()).build();
         ServiceDiscovery discovery = ServiceDiscovery.watch(client, RegistryPrefix.DEFAULT, "frozen")) {
      assertThat(discovery.awaitInitialSync(Duration.ofSeconds(10))).isTrue();
      ServiceDiscovery.Options defaults = ServiceDiscovery.Options.DEFAULT;
      Duration bound = defaults.probeInterval().plus(defaults.timeout());
      long frozen = System.nanoTime();
      proxy.silence();
      await().atMost(bound.plusSeconds(2)).pollInterval(Duration.ofMillis(20)).until(discovery::isStale);
      long staleMs = (System.nanoTime() - frozen) / 1_000_000;
      proxy.restore();
      await().atMost(Duration.ofSeconds(15)).until(() -> !discovery.isStale());
      System.out.printf("client: a silent network freeze marked the view stale after %d ms (bound: probe "
          + "interval %d s + timeout %d s)%n", staleMs, defaults.probeInterval().toSeconds(), defaults.timeout().toSeconds());
    }
  }
}
