package dev.registrar.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registrar.testing.FaultDuration;
import dev.registrar.testing.etcd.EtcdEvents;
import dev.registrar.testing.etcd.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ServiceRegistrar against a real etcd: lease, loss and re-registration, graceful close. */
class ServiceRegistrarIT {

  @RegisterExtension
  final EtcdExtension etcd = EtcdExtension.singleMember();

  static final EndpointValue VALUE = new EndpointValue("2.0", 100, "10.9.0.1", 8080, "http", null, null,
      null, Map.of("host", "vm-1"), new EndpointValue.Owner("vm", null, "batch-7", "vm-batch-7"));

  static List<KeyValue> get(Client client, String key) throws Exception {
    return client.getKVClient().get(ByteSequence.from(key, UTF_8)).get(5, TimeUnit.SECONDS).getKvs();
  }

  static final String KEY = "/services/batch/10.9.0.1:8080";

  static long ttlOf(Client client, long lease) throws Exception {
    return client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS).getTTL();
  }

  @Test
  void registersOnceUnderAKeptLeaseAndDeregistersAtOnceOnClose() throws Exception {
    Client client = etcd.client();
    ServiceRegistrar registrar = new ServiceRegistrar(client, RegistryPrefix.DEFAULT, Duration.ofSeconds(15));
    assertThat(registrar.state()).isEqualTo(ServiceRegistrar.State.NEW);
    long lease = registrar.register("batch", VALUE).get(10, TimeUnit.SECONDS);
    assertThat(registrar.state()).isEqualTo(ServiceRegistrar.State.REGISTERED);
    assertThat(registrar.leaseId()).isEqualTo(lease);
    // The same endpoint again: the same registration. Another one: refused.
    assertThat(registrar.register("batch", VALUE).get(1, TimeUnit.SECONDS)).isEqualTo(lease);
    assertThatThrownBy(() -> registrar.register("batch", new EndpointValue(null, 100, "10.9.0.2", 8080, null,
        null, null, null, null, null))).isInstanceOf(IllegalStateException.class)
        .hasMessage("this registrar already registers /services/batch/10.9.0.1:8080; use one registrar per endpoint");
    assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
        .contains("registrar-batch-10.9.0.1:8080");

    assertThat(get(client, KEY)).singleElement().satisfies(kv -> {
      assertThat(kv.getLease()).isEqualTo(lease);
      assertThat(EndpointCodec.decode(kv.getValue().getBytes())).isEqualTo(VALUE);
    });
    // Renewal past the TTL: anEtcdRestartKeepsTheLeaseAndTheKey watches the key for 17 s.

    registrar.close();
    assertThat(registrar.state()).isEqualTo(ServiceRegistrar.State.CLOSED);
    assertThat(get(client, KEY)).isEmpty();
    assertThat(ttlOf(client, lease)).isEqualTo(-1);
    registrar.close(); // idempotent, quietly
    assertThatThrownBy(() -> registrar.register("batch", VALUE)).isInstanceOf(IllegalStateException.class)
        .hasMessage("this registrar is closed; create a new one to register /services/batch/10.9.0.1:8080");
  }

  /** An overlapping restart: the new instance registers before the old one closes. */
  @Test
  void closingAnOldRegistrarNeverRemovesTheKeyOfANewerInstance() throws Exception {
    Client client = etcd.client();
    ServiceRegistrar old = new ServiceRegistrar(client, RegistryPrefix.DEFAULT, Duration.ofSeconds(15));
    long oldLease = old.register("batch", VALUE).get(10, TimeUnit.SECONDS);
    try (ServiceRegistrar fresh = new ServiceRegistrar(client, RegistryPrefix.DEFAULT, Duration.ofSeconds(15))) {
      long newLease = fresh.register("batch", VALUE).get(10, TimeUnit.SECONDS);
      assertThat(get(client, KEY)).singleElement().satisfies(kv -> assertThat(kv.getLease()).isEqualTo(newLease));
      long modRevision = get(client, KEY).get(0).getModRevision();

      try (EtcdEvents events = new EtcdEvents(client, KEY)) {
        old.close();
        assertThat(ttlOf(client, oldLease)).as("the old lease is revoked").isEqualTo(-1);
        // The key stays, on the newer instance's lease, and the old one does not come back for it.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(get(client, KEY)).singleElement().satisfies(kv -> assertThat(kv.getLease()).isEqualTo(newLease)));
        // Not even for a moment: a consumer would see a DELETE and a PUT, the flap this prevents.
        assertThat(events.deletes()).as("DELETE events on the newer instance's key").isEmpty();
        assertThat(events.puts()).as("PUT events on the newer instance's key").isEmpty();
        assertThat(get(client, KEY).get(0).getModRevision()).isEqualTo(modRevision);
      }
    }
    assertThat(get(client, KEY)).isEmpty();
  }

  @Test
  void aKeyDeletedBySomeoneElseIsPutBackWithinASecond() throws Exception {
    Client client = etcd.client();
    try (ServiceRegistrar registrar = new ServiceRegistrar(client, RegistryPrefix.DEFAULT, Duration.ofSeconds(15))) {
      long lease = registrar.register("batch", VALUE).get(10, TimeUnit.SECONDS);
      try (EtcdEvents events = new EtcdEvents(client, KEY)) {
        for (int i = 0; i < 3; i++) {
          long deleted = System.nanoTime();
          client.getKVClient().delete(ByteSequence.from(KEY, UTF_8)).get(5, TimeUnit.SECONDS); // etcdctl del
          await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5)).untilAsserted(() ->
              assertThat(get(client, KEY)).singleElement().satisfies(kv -> assertThat(kv.getLease()).isEqualTo(lease)));
          System.out.printf("registrar: deleted key put back after %d ms%n", (System.nanoTime() - deleted) / 1_000_000);
        }
        // Put back once per delete, and then left alone: no rewrite loop that consumers would see.
        long restored = get(client, KEY).get(0).getModRevision();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
            .until(() -> get(client, KEY).get(0).getModRevision() == restored);
        assertThat(events.deletes()).as("only the test's own deletes").hasSize(3);
        assertThat(events.puts()).as("one put back per delete").hasSize(3);
      }
      assertThat(registrar.leaseId()).isEqualTo(lease);
    }
  }

  /**
   * etcd keeps leases through a restart (its new leader renews them all): a keepalive that jetcd
   * gave up on is not a lost lease. ClientRecoveryIT's 30 s outage, longer than the TTL, makes
   * jetcd's keepalive deadline pass, so that etcd must be asked.
   */
  @ParameterizedTest(name = "etcd down {0} s")
  @ValueSource(ints = {10})
  void anEtcdRestartKeepsTheLeaseAndTheKey(int seconds) throws Exception {
    try (ServiceRegistrar registrar = new ServiceRegistrar(etcd.client(), RegistryPrefix.DEFAULT, Duration.ofSeconds(15))) {
      long lease = registrar.register("batch", VALUE).get(10, TimeUnit.SECONDS);
      long down = System.nanoTime();
      etcd.etcd().killAll();
      FaultDuration.holdUntil(down, Duration.ofSeconds(seconds));
      etcd.etcd().startAll();
      long up = System.nanoTime();
      try (Client fresh = etcd.etcd().newClient()) {
        // Past jetcd's keepalive deadline (15 s after the last renewal) and one more TTL.
        await().during(Duration.ofSeconds(17)).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(get(fresh, KEY)).singleElement().satisfies(kv -> assertThat(kv.getLease()).isEqualTo(lease));
          assertThat(registrar.leaseId()).as("false lease losses").isEqualTo(lease);
        });
        assertThat(ttlOf(fresh, lease)).isPositive();
        assertThat(registrar.state()).isEqualTo(ServiceRegistrar.State.REGISTERED);
        System.out.printf("registrar: %d s etcd restart, lease %x kept (0 false lease losses), %d s checked after%n",
            seconds, lease, (System.nanoTime() - up) / 1_000_000_000);
      }
    }
  }

  @Test
  void aLeaseThatIsReallyGoneIsReplacedAndTheKeyRegisteredAgain() throws Exception {
    Client client = etcd.client();
    try (ServiceRegistrar registrar = new ServiceRegistrar(client, RegistryPrefix.DEFAULT, Duration.ofSeconds(15))) {
      long first = registrar.register("batch", VALUE).get(10, TimeUnit.SECONDS);
      client.getLeaseClient().revoke(first).get(5, TimeUnit.SECONDS); // etcdctl lease revoke
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(registrar.leaseId()).isNotEqualTo(first);
        assertThat(get(client, KEY)).singleElement()
            .satisfies(kv -> assertThat(kv.getLease()).isEqualTo(registrar.leaseId()));
      });
      assertThat(registrar.state()).isEqualTo(ServiceRegistrar.State.REGISTERED);
    }
  }

  @Test
  void whileEtcdIsDownRegisterSaysSoAndCompletesOnceTheKeyIsInEtcd() throws Exception {
    etcd.etcd().killAll();
    ServiceRegistrar registrar = new ServiceRegistrar(etcd.client(), RegistryPrefix.DEFAULT, Duration.ofSeconds(15));
    long called = System.nanoTime();
    CompletableFuture<Long> registered = registrar.register("batch", VALUE);
    assertThat((System.nanoTime() - called) / 1_000_000).as("register() returns at once (ms)").isLessThan(1000);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      assertThat(registered).isNotDone();
      assertThat(registrar.state()).isEqualTo(ServiceRegistrar.State.REGISTERING);
      assertThat(registrar.leaseId()).isZero();
    });
    etcd.etcd().startAll();
    long lease = registered.get(30, TimeUnit.SECONDS);
    try (Client fresh = etcd.etcd().newClient()) {
      assertThat(get(fresh, KEY)).singleElement().satisfies(kv -> assertThat(kv.getLease()).isEqualTo(lease));
    }
    registrar.close();

    // Closed before it got anywhere: the outcome says so.
    etcd.etcd().killAll();
    ServiceRegistrar never = new ServiceRegistrar(etcd.client(), RegistryPrefix.DEFAULT, Duration.ofSeconds(15));
    CompletableFuture<Long> cancelled = never.register("batch", VALUE);
    never.close();
    assertThat(cancelled).isCompletedExceptionally();
    etcd.etcd().startAll();
  }

  @Test
  void aTtlBelow15SecondsIsRefused() {
    assertThatThrownBy(() -> new ServiceRegistrar(etcd.client(), RegistryPrefix.DEFAULT, Duration.ofSeconds(5)))
        .hasMessage("lease TTL 5 s is below the minimum of 15 s");
  }
}
