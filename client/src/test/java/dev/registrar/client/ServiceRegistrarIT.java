package dev.registrar.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registrar.testing.FaultDuration;
import dev.registrar.testing.etcd.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ServiceRegistrar against a real etcd: lease, loss and re-registration, graceful close. */
class ServiceRegistrarIT {

  @RegisterExtension
  final EtcdExtension etcd = EtcdExtension.singleMember();

  static final EndpointValue VALUE = new EndpointValue("2.0", 100, "10.9.0.1", 8080, "http", null, null,
      null, Map.of("host", "vm-1"), new EndpointValue.Owner("vm", null, "batch-7", "vm-batch-7"));

  static List<KeyValue> get(Client client, String key) throws Exception {
    return client.getKVClient().get(ByteSequence.from(key, UTF_8)).get(5, TimeUnit.SECONDS).getKvs();
  }

  @Test
  void registersOnceUnderAKeptLeaseAndDeregistersAtOnceOnClose() throws Exception {
    Client client = etcd.client();
    String key = "/services/batch/10.9.0.1:8080";
    ServiceRegistrar registrar = new ServiceRegistrar(client, RegistryPrefix.DEFAULT, Duration.ofSeconds(15));
    assertThat(registrar.register("batch", VALUE)).isTrue();
    assertThat(registrar.register("batch", VALUE)).isFalse();

    List<KeyValue> kvs = get(client, key);
    assertThat(kvs).singleElement().satisfies(kv -> {
      assertThat(kv.getLease()).isEqualTo(registrar.leaseId());
      assertThat(EndpointCodec.decode(kv.getValue().getBytes())).isEqualTo(VALUE);
    });
    // Renewed: there throughout, and past, the TTL.
    await().during(Duration.ofSeconds(17)).atMost(Duration.ofSeconds(25))
        .untilAsserted(() -> assertThat(get(client, key)).hasSize(1));
    long lease = registrar.leaseId();

    registrar.close();
    assertThat(get(client, key)).isEmpty();
    assertThat(client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS).getTTL()).isEqualTo(-1);
  }

  @Test
  void etcdDownLongerThanTheTtlIsFollowedByAnAutomaticReRegistration() throws Exception {
    String key = "/services/batch/10.9.0.1:8080";
    try (ServiceRegistrar registrar = new ServiceRegistrar(etcd.client(), RegistryPrefix.DEFAULT, Duration.ofSeconds(15))) {
      registrar.register("batch", VALUE);
      long first = registrar.leaseId();
      long down = System.nanoTime();
      etcd.etcd().killAll();
      FaultDuration.holdUntil(down, Duration.ofSeconds(20));
      etcd.etcd().startAll();
      try (Client fresh = etcd.etcd().newClient()) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          assertThat(get(fresh, key)).singleElement().satisfies(kv -> assertThat(kv.getLease()).isEqualTo(registrar.leaseId()));
          assertThat(registrar.leaseId()).isNotEqualTo(first);
        });
        // Throughout another TTL: the re-registration's lease is kept.
        long lease = registrar.leaseId();
        await().during(Duration.ofSeconds(17)).atMost(Duration.ofSeconds(25)).untilAsserted(() ->
            assertThat(get(fresh, key)).singleElement().satisfies(kv -> assertThat(kv.getLease()).isEqualTo(lease)));
      }
    }
  }

  @Test
  void aTtlBelow15SecondsIsRefused() {
    assertThatThrownBy(() -> new ServiceRegistrar(etcd.client(), RegistryPrefix.DEFAULT, Duration.ofSeconds(5)))
        .hasMessage("lease TTL 5 s is below the minimum of 15 s");
  }
}
