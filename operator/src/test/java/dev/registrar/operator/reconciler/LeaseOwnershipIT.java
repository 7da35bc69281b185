package dev.registrar.operator.reconciler;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.testing.etcd.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A key on a registration's own lease is the registration's, whatever its value says; a key on
 * another lease or none is its value owner's, and a desired key held that way keeps Ready False.
 */
class LeaseOwnershipIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String NS = "shop";
  static final Duration REPAIR_BOUND = Duration.ofSeconds(2);
  static final String OTHER_OWNER = otherOwnersValue("10.9.6.1");

  /** A well-formed value for {@code host}:80 that names a registration of another cluster. */
  static String otherOwnersValue(String host) {
    return new String(EndpointCodec.encode(new EndpointValue(null, 1, host, 80, null, null, null, null, null,
        new EndpointValue.Owner("elsewhere", "x", "y", "z"))), UTF_8);
  }

  OperatorFixture fixture;

  @BeforeEach
  void start() {
    fixture = OperatorFixture.start(ETCD, "--cluster-name", "test");
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  void createPods(String name, int count) {
    for (int i = 1; i <= count; i++) {
      fixture.client.resource(pod(NS, name + "-" + i, "10.9." + name.length() + "." + i, Map.of("app", name), true)).create();
    }
  }

  void createRegistration(String name) {
    ServiceRegistration registration = registration(NS, name, name, Map.of("app", name), PortSpec.number("http", 80));
    fixture.client.resource(registration).create();
  }

  void register(String name, int pods) {
    createPods(name, pods);
    createRegistration(name);
    fixture.awaitReady(NS, name, "True", "Synced", Duration.ofSeconds(20));
  }

  static void put(String key, String value, long lease) throws Exception {
    ETCD.client().getKVClient().put(ByteSequence.from(key, UTF_8), ByteSequence.from(value, UTF_8),
        PutOption.builder().withLeaseId(lease).build()).get(5, TimeUnit.SECONDS);
  }

  KeyValue kv(String key) {
    return fixture.etcd.kvs(key).stream().filter(kv -> kv.getKey().toString(UTF_8).equals(key)).findFirst().orElse(null);
  }

  /** Puts {@code tampered} on a registered key with the registration's lease; the operator puts its value back. */
  long tamperAndAwaitRepair(String name, String key, String tampered) throws Exception {
    long lease = fixture.lease(NS, name);
    String value = fixture.etcd.value(key).orElseThrow();
    long start = System.nanoTime();
    put(key, tampered, lease);
    await().atMost(REPAIR_BOUND).pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(fixture.etcd.value(key)).contains(value));
    long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertThat(kv(key).getLease()).isEqualTo(lease);
    fixture.awaitReady(NS, name, "True", "Synced", Duration.ofSeconds(5));
    return millis;
  }

  @Test
  void aForeignValueOnTheRegistrationsLeaseIsRewritten() throws Exception {
    register("tamper", 2);
    String key = "/services/tamper/10.9.6.1:80";
    long junk = tamperAndAwaitRepair("tamper", key, "{\"tampered\":true}");
    long other = tamperAndAwaitRepair("tamper", key, OTHER_OWNER);
    long seed = tamperAndAwaitRepair("tamper", key, "{\"version\":\"9.9.9\",\"weight\":1}");
    System.out.printf("foreign value on the registration's own lease rewritten in %d / %d / %d ms "
        + "(junk / another owner / plain seed format)%n", junk, other, seed);
  }

  @Test
  void anUndesiredKeyOnTheRegistrationsLeaseIsDeleted() throws Exception {
    register("stray", 1);
    long lease = fixture.lease(NS, "stray");
    String inPath = "/services/stray/10.9.99.1:80";
    String elsewhere = "/services/unrelated/10.9.99.2:80";
    long start = System.nanoTime();
    put(inPath, otherOwnersValue("10.9.99.1"), lease);
    put(elsewhere, "{\"version\":\"1.0.0\",\"weight\":5}", lease);
    await().atMost(REPAIR_BOUND).untilAsserted(() -> {
      assertThat(fixture.etcd.value(inPath)).isEmpty();
      assertThat(fixture.etcd.value(elsewhere)).isEmpty();
    });
    System.out.printf("keys put on the registration's lease deleted in %d ms%n",
        Duration.ofNanos(System.nanoTime() - start).toMillis());
    assertThat(fixture.etcd.values("/services/stray/")).containsOnlyKeys("/services/stray/10.9.5.1:80");
    fixture.awaitReady(NS, "stray", "True", "Synced", Duration.ofSeconds(5));
  }

  @Test
  void aDesiredKeyHeldByAnotherOwnerIsNeverSyncedAndIsTakenWhenReleased() throws Exception {
    createPods("held", 2);
    String held = "/services/held/10.9.4.2:80";
    long otherLease = ETCD.client().getLeaseClient().grant(60).get(5, TimeUnit.SECONDS).getID();
    put(held, otherOwnersValue("10.9.4.2"), otherLease);
    String seedKey = "/services/held/10.1.1.1:80";
    put(seedKey, "{\"version\":\"1.0.0\",\"weight\":100}", 0);
    KeyValue heldBefore = kv(held);
    KeyValue seedBefore = kv(seedKey);
    createRegistration("held");

    fixture.awaitReady(NS, "held", "False", "KeysHeldElsewhere", Duration.ofSeconds(20));
    ServiceRegistration current = fixture.registration(NS, "held");
    assertThat(current.getStatus().getRegisteredEndpoints()).isEqualTo(1);
    assertThat(fixture.condition(NS, "held", "Ready").orElseThrow().getMessage()).isEqualTo(
        "1 endpoint is not registered because another owner holds the key: " + held
            + " held by registration x/y of cluster 'elsewhere' (lease " + Long.toHexString(otherLease)
            + "); 1 endpoint registered under lease " + current.getStatus().getLeaseId()
            + "; keys of another owner under the service path left untouched: " + seedKey);
    assertThat(fixture.events(NS, "held", "KeysHeldElsewhere")).singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
    // Neither the other owner's key nor the plain seed-format one was touched.
    assertThat(kv(held).getModRevision()).isEqualTo(heldBefore.getModRevision());
    assertThat(kv(held).getValue().toString(UTF_8)).isEqualTo(otherOwnersValue("10.9.4.2"));
    assertThat(kv(seedKey).getModRevision()).isEqualTo(seedBefore.getModRevision());

    // The other owner lets go: the key is registered at once, and Ready turns Synced.
    long start = System.nanoTime();
    ETCD.client().getLeaseClient().revoke(otherLease).get(5, TimeUnit.SECONDS);
    await().atMost(REPAIR_BOUND).untilAsserted(() -> assertThat(kv(held)).isNotNull());
    long taken = Duration.ofNanos(System.nanoTime() - start).toMillis();
    fixture.awaitReady(NS, "held", "True", "Synced", Duration.ofSeconds(5));
    assertThat(fixture.registration(NS, "held").getStatus().getRegisteredEndpoints()).isEqualTo(2);
    assertThat(kv(held).getLease()).isEqualTo(fixture.lease(NS, "held"));
    assertThat(kv(seedKey).getModRevision()).isEqualTo(seedBefore.getModRevision());
    System.out.printf("a held key released by its owner: registered %d ms later%n", taken);
  }
}
