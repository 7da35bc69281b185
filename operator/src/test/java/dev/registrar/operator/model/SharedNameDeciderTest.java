package dev.registrar.operator.model;

import static dev.registrar.operator.model.DeciderTest.desired;
import static dev.registrar.operator.model.DeciderTest.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A name shared across clusters (spec.clusterSet: Shared), decided purely: who may write under it,
 * what each cluster writes, and that no plan ever touches another cluster's key.
 */
class SharedNameDeciderTest {

  // The same registration (shop/orders) in two clusters, and another one asking for its name.
  static final EndpointValue.Owner EU = new EndpointValue.Owner("eu", "shop", "orders", "uid-eu");
  static final EndpointValue.Owner US = new EndpointValue.Owner("us", "shop", "orders", "uid-us");
  static final EndpointValue.Owner BILLING = new EndpointValue.Owner("us", "billing", "orders", "uid-b");
  static final List<String> PORTS = List.of("http=80");
  static final String CLAIM = "/registrar/claims/orders";
  static final String EU_MEMBER = "/registrar/claims/orders/eu";
  static final String US_MEMBER = "/registrar/claims/orders/us";
  static final String EU_KEY = "/services/orders/10.1.0.1:80";
  static final long EU_LEASE = 0xe0;
  static final long US_LEASE = 0xa0;

  static Decider.Target shared(EndpointValue.Owner owner) {
    return Decider.Target.shared(owner, "orders", PORTS);
  }

  static byte[] endpoint(String ip, EndpointValue.Owner owner) {
    return EndpointCodec.encode(new EndpointValue(null, 100, ip, 80, "http", "p", "shop", "n", Map.of(), owner));
  }

  /** What etcd holds once the eu cluster founded the shared name and registered one endpoint. */
  static Map<String, StoredKey> euHolds() {
    Map<String, StoredKey> held = new TreeMap<>();
    held.put(CLAIM, stored(SharedClaim.of(EU, List.of()).encode(), 0, 10));
    held.put(EU_MEMBER, stored(SharedClaim.of(EU, PORTS).encode(), EU_LEASE, 11));
    held.put(EU_KEY, stored(endpoint("10.1.0.1", EU), EU_LEASE, 12));
    return held;
  }

  @Test
  void theFirstClusterFoundsTheClaimOnNoLeaseAndItsMemberKeyOnItsLease() {
    Decision.Write write = (Decision.Write) Decider.decide(desired("10.1.0.1"), shared(EU), Map.of(),
        Set.of(EU_LEASE), EU_LEASE);
    assertThat(write.plan().puts()).extracting(Plan.Put::key, Plan.Put::leased, Plan.Put::expectedModRevision)
        .containsExactlyInAnyOrder(tuple(CLAIM, false, 0L), tuple(EU_MEMBER, true, 0L),
            tuple("/services/orders/10.1.0.1:80", true, 0L));
    SharedClaim claim = SharedClaim.decode(write.plan().puts().stream().filter(p -> p.key().equals(CLAIM))
        .findFirst().orElseThrow().value()).orElseThrow();
    assertThat(claim.shared()).isTrue();
    assertThat(claim.owner()).isEqualTo(EU);
    // Older operators read the claim as its owner, as before.
    assertThat(EndpointCodec.decodeOwner(SharedClaim.of(EU, List.of()).encode())).isEqualTo(EU);
  }

  @Test
  void aSecondClusterJoinsRewritingTheClaimAsItIsSoThatARacingReleaseFails() {
    Decision.Write write = (Decision.Write) Decider.decide(desired("10.2.0.1"), shared(US), euHolds(),
        Set.of(US_LEASE), US_LEASE);
    assertThat(write.plan().puts()).extracting(Plan.Put::key, Plan.Put::leased, Plan.Put::expectedModRevision)
        .containsExactlyInAnyOrder(tuple(CLAIM, false, 10L), tuple(US_MEMBER, true, 0L),
            tuple("/services/orders/10.2.0.1:80", true, 0L));
    assertThat(write.plan().puts().stream().filter(p -> p.key().equals(CLAIM)).findFirst().orElseThrow().value())
        .isEqualTo(euHolds().get(CLAIM).value());
    assertThat(write.plan().deletes()).isEmpty();
    assertThat(write.tally().otherClusters()).containsExactly(Map.entry("eu", 1));
    assertThat(write.tally().othersUnderPath()).isEmpty();
  }

  @Test
  void aMemberAlreadyInTheSetWritesOnlyItsOwnKeys() {
    Map<String, StoredKey> held = euHolds();
    held.put(US_MEMBER, stored(SharedClaim.of(US, PORTS).encode(), US_LEASE, 13));
    Decision decision = Decider.decide(desired("10.2.0.1"), shared(US), held, Set.of(US_LEASE), US_LEASE);
    assertThat(((Decision.Write) decision).plan().puts()).extracting(Plan.Put::key)
        .containsExactly("/services/orders/10.2.0.1:80");
    String key = "/services/orders/10.2.0.1:80";
    held.put(key, stored(desired("10.2.0.1").encoded().get(key), US_LEASE, 14));
    assertThat(Decider.decide(desired("10.2.0.1"), shared(US), held, Set.of(US_LEASE), US_LEASE))
        .isInstanceOf(Decision.Noop.class);
  }

  @Test
  void anotherNamespaceAskingForASharedNameIsInConflictNamingTheSetAndItsClusters() {
    Decider.Target billing = Decider.Target.shared(BILLING, "orders", PORTS);
    Decision decision = Decider.decide(desired("10.2.0.9"), billing, euHolds(), Set.of(US_LEASE), US_LEASE);
    assertThat(((Decision.Conflict) decision).message()).isEqualTo("service name 'orders' is shared by "
        + "registrations shop/orders of cluster 'eu' (/registrar/claims/orders); this registration writes "
        + "nothing until the claim is released");
    assertThat(Decider.decide(desired("10.2.0.9"), Decider.Target.of(BILLING, "orders"), euHolds(),
        Set.of(US_LEASE), US_LEASE)).isInstanceOf(Decision.Conflict.class);
  }

  @Test
  void theSameRegistrationLeftExclusiveInAnotherClusterIsToldHowToJoin() {
    Decision decision = Decider.decide(desired("10.2.0.1"), Decider.Target.of(US, "orders"), euHolds(),
        Set.of(US_LEASE), US_LEASE);
    assertThat(((Decision.Conflict) decision).message()).endsWith(
        "; set spec.clusterSet: Shared to register this cluster's endpoints under it too");
  }

  @Test
  void anExclusiveClaimOfTheSameNamespaceAndNameInAnotherClusterIsNotShared() {
    Map<String, StoredKey> held = Map.of(CLAIM, stored(EndpointCodec.encodeOwner(EU), EU_LEASE, 10));
    Decision decision = Decider.decide(desired("10.2.0.1"), shared(US), held, Set.of(US_LEASE), US_LEASE);
    assertThat(((Decision.Conflict) decision).message()).startsWith(
        "service name 'orders' is claimed by registration shop/orders of cluster 'eu'");
  }

  @Test
  void aSharedClaimWhoseClustersAreAllGoneIsFreeToTakeComparingItsRevision() {
    Map<String, StoredKey> stale = Map.of(CLAIM, stored(SharedClaim.of(EU, List.of()).encode(), 0, 10));
    Decision.Write write = (Decision.Write) Decider.decide(desired("10.2.0.9"), Decider.Target.of(BILLING, "orders"),
        stale, Set.of(US_LEASE), US_LEASE);
    assertThat(write.plan().puts()).extracting(Plan.Put::key, Plan.Put::leased, Plan.Put::expectedModRevision)
        .contains(tuple(CLAIM, true, 10L));
  }

  @Test
  void membersLeftWithoutTheirClaimKeepTheNameForTheirSetWhichFoundsItAgain() {
    Map<String, StoredKey> held = euHolds();
    held.remove(CLAIM); // deleted by hand, or by a last member racing a join
    Decision.Write write = (Decision.Write) Decider.decide(desired("10.2.0.1"), shared(US), held,
        Set.of(US_LEASE), US_LEASE);
    assertThat(write.plan().puts()).extracting(Plan.Put::key, Plan.Put::leased, Plan.Put::expectedModRevision)
        .contains(tuple(CLAIM, false, 0L), tuple(US_MEMBER, true, 0L));
    assertThat(Decider.decide(desired("10.2.0.9"), Decider.Target.of(BILLING, "orders"), held, Set.of(US_LEASE),
        US_LEASE)).isInstanceOf(Decision.Conflict.class);
    assertThat(((Decision.Conflict) Decider.decide(desired("10.2.0.1"), Decider.Target.of(US, "orders"), held,
        Set.of(US_LEASE), US_LEASE)).message()).endsWith("set spec.clusterSet: Shared to register this cluster's "
            + "endpoints under it too");
  }

  @Test
  void theFounderCannotTurnExclusiveWhileAnotherClusterShares() {
    Map<String, StoredKey> held = euHolds();
    held.put(US_MEMBER, stored(SharedClaim.of(US, PORTS).encode(), US_LEASE, 13));
    Decision decision = Decider.decide(desired("10.1.0.1"), Decider.Target.of(EU, "orders"), held,
        Set.of(EU_LEASE), EU_LEASE);
    assertThat(((Decision.Conflict) decision).message()).contains("of cluster 'us'")
        .endsWith("only once the other clusters stop sharing it (or set spec.clusterSet: Shared again)");
    // Alone in the set, it may: the claim goes back on its lease and its member key goes.
    Decision.Write alone = (Decision.Write) Decider.decide(desired("10.1.0.1"), Decider.Target.of(EU, "orders"),
        euHolds(), Set.of(EU_LEASE), EU_LEASE);
    assertThat(alone.plan().puts()).extracting(Plan.Put::key, Plan.Put::leased).contains(tuple(CLAIM, true));
    assertThat(alone.plan().deletes()).extracting(Plan.Delete::key).contains(EU_MEMBER);
  }

  @Test
  void portsThatDifferAcrossTheSetAreReportedAndEveryClusterStillRegisters() {
    Map<String, StoredKey> held = euHolds();
    held.put(EU_MEMBER, stored(SharedClaim.of(EU, List.of("http=8080")).encode(), EU_LEASE, 11));
    Decision.Write write = (Decision.Write) Decider.decide(desired("10.2.0.1"), shared(US), held,
        Set.of(US_LEASE), US_LEASE);
    assertThat(write.tally().otherPorts()).containsExactly(Map.entry("eu", List.of("http=8080")));
    assertThat(write.plan().puts()).extracting(Plan.Put::key).contains("/services/orders/10.2.0.1:80");
  }

  @Test
  void noDecisionEverPlansAWriteToAnotherClustersKeys() {
    Map<String, StoredKey> held = euHolds();
    for (Decider.Target target : List.of(shared(US), Decider.Target.of(US, "orders"),
        Decider.Target.shared(BILLING, "orders", PORTS))) {
      // Even desiring the very address eu holds: it stays eu's.
      Decision decision = Decider.decide(desired("10.1.0.1", "10.2.0.1"), target, held, Set.of(US_LEASE), US_LEASE);
      if (decision instanceof Decision.Write write) {
        assertThat(write.plan().puts()).extracting(Plan.Put::key).doesNotContain(EU_MEMBER, EU_KEY);
        assertThat(write.plan().deletes()).isEmpty();
      }
    }
  }

  @Test
  void leavingKeepsTheClaimWhileAnotherClusterShares() {
    Map<String, StoredKey> afterRevoke = euHolds();
    afterRevoke.remove(EU_MEMBER);
    afterRevoke.remove(EU_KEY);
    afterRevoke.put(US_MEMBER, stored(SharedClaim.of(US, PORTS).encode(), US_LEASE, 13));
    assertThat(Decider.withdrawal(afterRevoke, EU, "orders").isEmpty()).isTrue();
    // The last one to leave releases the name, comparing the claim it read.
    afterRevoke.remove(US_MEMBER);
    assertThat(Decider.withdrawal(afterRevoke, US, "orders").deletes()).containsExactly(new Plan.Delete(CLAIM, 10));
    // Another namespace's registration never releases the set's claim.
    assertThat(Decider.withdrawal(afterRevoke, BILLING, "orders").isEmpty()).isTrue();
  }

  @Test
  void aSharedRegistrationTakingAFreeClaimOfAnotherSetFoundsItsOwn() {
    Map<String, StoredKey> stale = Map.of(CLAIM, stored(SharedClaim.of(BILLING, List.of()).encode(), 0, 10));
    Decision.Write write = (Decision.Write) Decider.decide(desired("10.2.0.1"), shared(US), stale,
        Set.of(US_LEASE), US_LEASE);
    Plan.Put claim = write.plan().puts().stream().filter(p -> p.key().equals(CLAIM)).findFirst().orElseThrow();
    assertThat(claim.expectedModRevision()).isEqualTo(10);
    assertThat(SharedClaim.decode(claim.value()).orElseThrow().owner()).isEqualTo(US);
  }

  @Test
  void onlyTheSetsOwnEndpointsInOtherClustersAreCountedAsTheirs() {
    Map<String, StoredKey> held = euHolds();
    // Another namespace's key under the path, in another cluster: somebody else's, listed as such.
    EndpointValue.Owner stranger = new EndpointValue.Owner("ap", "billing", "orders", "uid-x");
    held.put("/services/orders/10.9.0.1:80", stored(endpoint("10.9.0.1", stranger), 0x77, 20));
    Decision.Write write = (Decision.Write) Decider.decide(desired("10.2.0.1"), shared(US), held,
        Set.of(US_LEASE), US_LEASE);
    assertThat(write.tally().otherClusters()).containsExactly(Map.entry("eu", 1));
    assertThat(write.tally().othersUnderPath()).containsExactly("/services/orders/10.9.0.1:80");
  }

  @Test
  void aMembersPortsAreNamedWithTheirNumberOrContainerPortSorted() {
    assertThat(SharedClaim.portsOf(List.of(dev.registrar.operator.customresource.PortSpec.number("http", 8080),
        dev.registrar.operator.customresource.PortSpec.named("grpc", "grpc-port"))))
        .containsExactly("grpc=grpc-port", "http=8080");
    assertThat(SharedClaim.portsOf(null)).isEmpty();
  }
}
