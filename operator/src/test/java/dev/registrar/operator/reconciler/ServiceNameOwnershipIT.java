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
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.testing.etcd.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One service name, one owner: claims, conflicts, foreign keys and prefix boundaries. */
class ServiceNameOwnershipIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final Duration WAIT = Duration.ofSeconds(20);

  OperatorFixture fixture;
  KubernetesClient client;
  EtcdView etcd;

  @BeforeEach
  void start() {
    fixture = OperatorFixture.start(ETCD, "--cluster-name", "test");
    client = fixture.client;
    etcd = fixture.etcd;
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  Optional<Condition> ready(String namespace, String name) {
    return fixture.condition(namespace, name, "Ready");
  }

  void awaitReady(String namespace, String name, String status, String reason) {
    fixture.awaitReady(namespace, name, status, reason, WAIT);
  }

  @Test
  void aTakenNameIsAConflictUntilTheOwnerLetsGo() throws Exception {
    Map<String, String> app = Map.of("app", "cart");
    client.resource(pod("team-a", "cart-a", "10.4.0.1", app, true)).create();
    client.resource(pod("team-b", "cart-b", "10.4.0.2", app, true)).create();
    client.resource(pod("team-b", "cart-b2", "10.4.0.3", app, true)).create();
    // A key of another cluster under the same service path, which nobody here may touch.
    String foreign = "/services/cart/10.9.9.9:80";
    ETCD.client().getKVClient().put(ByteSequence.from(foreign, UTF_8), ByteSequence.from(
        EndpointCodec.encode(new EndpointValue(null, 100, "10.9.9.9", 80, null, null, null, null, null,
            new EndpointValue.Owner("elsewhere", "x", "y", "z"))))).get();

    Map<String, String> foreignBefore = etcd.valuesAndRevisions(foreign);
    ServiceRegistration first = client.resource(registration("team-a", "cart", "cart", app, PortSpec.number("http", 80))).create();
    awaitReady("team-a", "cart", "True", "Synced");
    ServiceRegistration second = client.resource(registration("team-b", "cart", "cart", app, PortSpec.number("http", 80))).create();
    // Same namespace, same name claimed by another registration: a conflict too.
    client.resource(registration("team-a", "cart-copy", "cart", app, PortSpec.number("http", 80))).create();

    awaitReady("team-b", "cart", "False", "Conflict");
    awaitReady("team-a", "cart-copy", "False", "Conflict");
    assertThat(ready("team-b", "cart").orElseThrow().getMessage()).isEqualTo(
        "service name 'cart' is claimed by registration team-a/cart of cluster 'test' (/registrar/claims/cart); "
            + "this registration writes nothing until the claim is released");
    assertThat(client.v1().events().inNamespace("team-b").list().getItems())
        .anySatisfy(e -> {
          assertThat(e.getReason()).isEqualTo("Conflict");
          assertThat(e.getType()).isEqualTo("Warning");
        });
    assertThat(etcd.values("/services/cart/")).containsOnlyKeys("/services/cart/10.4.0.1:80", foreign);
    assertThat(claimOwner().uid())
        .isEqualTo(first.getMetadata().getUid());

    // The owner goes: its lease and claim go with it, and one waiting registration takes over.
    client.resources(ServiceRegistration.class).inNamespace("team-a").withName("cart").delete();
    // Between the release and the takeover there is a moment without any claim.
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      String claimant = claimOwner().uid();
      assertThat(claimant).isNotEqualTo(first.getMetadata().getUid());
    });
    String winner = claimOwner().name();
    String loserNamespace;
    String loserName;
    if (winner.equals("cart")) {
      awaitReady("team-b", "cart", "True", "Synced");
      await().atMost(WAIT).untilAsserted(() -> assertThat(etcd.values("/services/cart/"))
          .containsOnlyKeys("/services/cart/10.4.0.2:80", "/services/cart/10.4.0.3:80", foreign));
      assertThat(decodeOwnerOf("/services/cart/10.4.0.2:80").uid()).isEqualTo(second.getMetadata().getUid());
      loserNamespace = "team-a";
      loserName = "cart-copy";
    } else {
      awaitReady("team-a", "cart-copy", "True", "Synced");
      loserNamespace = "team-b";
      loserName = "cart";
    }
    // The loser names the new holder, not the old one (whose name its old message carried).
    EndpointValue.Owner holder = claimOwner();
    await().atMost(WAIT).untilAsserted(() -> assertThat(ready(loserNamespace, loserName)).hasValueSatisfying(c -> {
      assertThat(c.getReason()).isEqualTo("Conflict");
      assertThat(c.getMessage()).isEqualTo("service name 'cart' is claimed by registration " + holder.namespace()
          + "/" + holder.name() + " of cluster 'test' (/registrar/claims/cart); "
          + "this registration writes nothing until the claim is released");
    }));
    assertThat(etcd.valuesAndRevisions(foreign)).isEqualTo(foreignBefore);
  }

  EndpointValue.Owner claimOwner() {
    return EndpointCodec.decodeOwner(etcd.value("/registrar/claims/cart").orElseThrow().getBytes(UTF_8));
  }

  EndpointValue.Owner decodeOwnerOf(String key) {
    return EndpointCodec.decode(etcd.kvs(key).get(0).getValue().getBytes()).owner();
  }

  @Test
  void namesSharingABeginningNeverTouchEachOthersKeys() {
    Map<String, String> foo = Map.of("app", "foo");
    Map<String, String> fooBar = Map.of("app", "foo-bar");
    client.resource(pod("shop", "foo-1", "10.5.0.1", foo, true)).create();
    client.resource(pod("shop", "foo-bar-1", "10.5.0.2", fooBar, true)).create();
    client.resource(pod("shop", "foo-bar-2", "10.5.0.3", fooBar, true)).create();
    client.resource(registration("shop", "foo", "foo", foo, PortSpec.number("http", 80))).create();
    client.resource(registration("shop", "foo-bar", "foo-bar", fooBar, PortSpec.number("http", 80))).create();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(etcd.values("/services/foo/")).containsOnlyKeys("/services/foo/10.5.0.1:80");
      assertThat(etcd.values("/services/foo-bar/")).hasSize(2);
    });
    Map<String, String> fooBarBefore = etcd.valuesAndRevisions("/services/foo-bar/", "/registrar/claims/foo-bar");
    assertThat(fooBarBefore).hasSize(3);

    client.resources(ServiceRegistration.class).inNamespace("shop").withName("foo").delete();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(etcd.values("/services/foo/")).isEmpty();
      assertThat(etcd.value("/registrar/claims/foo")).isEmpty();
    });
    // Every foo-bar key and its claim: same value, same ModRevision.
    assertThat(etcd.valuesAndRevisions("/services/foo-bar/", "/registrar/claims/foo-bar")).isEqualTo(fooBarBefore);
  }
}
