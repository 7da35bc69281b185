package dev.registrar.operator.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.RegistryKey;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The pure decision, case by case: what is written, what is left alone, and when nothing is. */
class DeciderTest {

  static final EndpointValue.Owner US = new EndpointValue.Owner("c1", "shop", "orders", "uid-1");
  static final EndpointValue.Owner THEM = new EndpointValue.Owner("c1", "billing", "orders", "uid-2");
  static final Decider.Target TARGET = Decider.Target.of(US, "orders");
  static final String CLAIM = "/registrar/claims/orders";
  static final String A = "/services/orders/10.0.0.1:80";
  static final String B = "/services/orders/10.0.0.2:80";
  static final long OURS = 0x10;
  static final long OLD = 0x0f;
  static final long THEIRS = 0x20;

  static byte[] value(String ip, EndpointValue.Owner owner) {
    return EndpointCodec.encode(new EndpointValue(null, 100, ip, 80, "http", "p-" + ip, "shop", "n1", Map.of(), owner));
  }

  static DesiredState desired(String... ips) {
    TreeMap<String, DesiredEndpoint> endpoints = new TreeMap<>();
    for (String ip : ips) {
      RegistryKey key = new RegistryKey(dev.registrar.client.RegistryPrefix.DEFAULT, "orders", ip, 80);
      EndpointValue v = new EndpointValue(null, 100, ip, 80, "http", "p-" + ip, "shop", "n1", Map.of(), US);
      endpoints.put("/services/orders/" + ip + ":80", new DesiredEndpoint(key, v, EndpointCodec.encode(v)));
    }
    return new DesiredState(endpoints, new java.util.TreeSet<>(), java.util.List.of());
  }

  static StoredKey stored(byte[] value, long lease, long modRevision) {
    return new StoredKey(value, lease, modRevision);
  }

  static Stream<Arguments> claims() {
    byte[] ourClaim = EndpointCodec.encodeOwner(US);
    byte[] theirClaim = EndpointCodec.encodeOwner(THEM);
    byte[] garbage = "not json".getBytes(UTF_8);
    return Stream.of(
        Arguments.of("no claim yet", null, false),
        Arguments.of("our claim on our lease", stored(ourClaim, OURS, 5), false),
        Arguments.of("our claim on no lease (a crash mid-way)", stored(ourClaim, 0, 5), false),
        Arguments.of("their value on our lease: ours", stored(theirClaim, OURS, 5), false),
        Arguments.of("their claim on their lease", stored(theirClaim, THEIRS, 5), true),
        Arguments.of("their claim on no lease", stored(theirClaim, 0, 5), true),
        Arguments.of("an unreadable claim", stored(garbage, THEIRS, 5), true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("claims")
  void theClaimDecidesWhetherAnythingIsWritten(String name, StoredKey claim, boolean conflict) {
    Map<String, StoredKey> observed = claim == null ? Map.of() : Map.of(CLAIM, claim);
    Decision decision = Decider.decide(desired("10.0.0.1"), TARGET, observed, Set.of(OURS), OURS);
    assertThat(decision instanceof Decision.Conflict).as(name).isEqualTo(conflict);
  }

  @Test
  void aFirstRegistrationCreatesTheKeysAndTheClaimIfAbsent() {
    Decision decision = Decider.decide(desired("10.0.0.1", "10.0.0.2"), TARGET, Map.of(), Set.of(OURS), OURS);
    Decision.Write write = (Decision.Write) decision;
    assertThat(write.plan().puts()).extracting(Plan.Put::key).containsExactly(CLAIM, A, B);
    assertThat(write.plan().puts()).allSatisfy(p -> assertThat(p.expectedModRevision()).isZero());
    assertThat(write.tally().registered()).isEqualTo(2);
  }

  @Test
  void nothingToChangeIsANoop() {
    Map<String, StoredKey> observed = Map.of(CLAIM, stored(EndpointCodec.encodeOwner(US), OURS, 3),
        A, stored(value("10.0.0.1", US), OURS, 4));
    assertThat(Decider.decide(desired("10.0.0.1"), TARGET, observed, Set.of(OURS), OURS))
        .isEqualTo(new Decision.Noop(Decision.Tally.of(1, Map.of(), Set.of())));
  }

  @Test
  void aKeyAnotherOwnerHoldsIsLeftAloneAndCountedAsHeldElsewhere() {
    Map<String, StoredKey> observed = Map.of(A, stored(value("10.0.0.1", THEM), THEIRS, 4),
        "/services/orders/10.9.9.9:7000", stored("{\"weight\":1}".getBytes(UTF_8), 0x30, 6));
    Decision.Write write = (Decision.Write) Decider.decide(desired("10.0.0.1", "10.0.0.2"), TARGET, observed,
        Set.of(OURS), OURS);
    assertThat(write.plan().puts()).extracting(Plan.Put::key).containsExactly(CLAIM, B);
    assertThat(write.plan().deletes()).isEmpty();
    assertThat(write.tally().registered()).isEqualTo(1);
    assertThat(write.tally().heldElsewhere()).containsOnlyKeys(A);
    assertThat(write.tally().heldElsewhere().get(A)).contains("registration billing/orders");
    assertThat(write.tally().othersUnderPath()).containsExactly("/services/orders/10.9.9.9:7000");
  }

  @Test
  void aTtlChangeRebindsEveryKeyToTheNewLeaseComparingTheirRevisions() {
    Map<String, StoredKey> observed = Map.of(CLAIM, stored(EndpointCodec.encodeOwner(US), OLD, 3),
        A, stored(value("10.0.0.1", US), OLD, 4));
    Decision.Write write = (Decision.Write) Decider.decide(desired("10.0.0.1"), TARGET, observed, Set.of(OURS, OLD), OURS);
    assertThat(write.plan().puts()).extracting(Plan.Put::key, Plan.Put::expectedModRevision)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(CLAIM, 3L), org.assertj.core.groups.Tuple.tuple(A, 4L));
  }

  @Test
  void aServiceNameMoveDeletesWhatIsLeftOnOurLeaseUnderTheOldName() {
    Map<String, StoredKey> observed = Map.of(
        "/registrar/claims/orders-old", stored(EndpointCodec.encodeOwner(US), OURS, 3),
        "/services/orders-old/10.0.0.1:80", stored(value("10.0.0.1", US), OURS, 4));
    Decision.Write write = (Decision.Write) Decider.decide(desired("10.0.0.1"), TARGET, observed, Set.of(OURS), OURS);
    assertThat(write.plan().deletes()).extracting(Plan.Delete::key)
        .containsExactly("/registrar/claims/orders-old", "/services/orders-old/10.0.0.1:80");
    assertThat(write.plan().puts()).extracting(Plan.Put::key).containsExactly(CLAIM, A);
  }

  @Test
  void aForeignValueOnOurLeaseIsOursAndGoesWhenNotDesired() {
    Map<String, StoredKey> observed = Map.of(B, stored("{\"weight\":5}".getBytes(UTF_8), OURS, 7));
    Decision.Write write = (Decision.Write) Decider.decide(desired("10.0.0.1"), TARGET, observed, Set.of(OURS), OURS);
    assertThat(write.plan().deletes()).containsExactly(new Plan.Delete(B, 7));
  }

  @Test
  void aConflictNamesTheHolderOrSaysItCannotReadIt() {
    var holder = new dev.registrar.client.EndpointValue.Owner("prod", "shop", "other", "uid-9");
    assertThat(new Decision.Conflict("orders", "/registrar/claims/orders", java.util.Optional.of(holder)).message())
        .isEqualTo("service name 'orders' is claimed by registration shop/other of cluster 'prod' "
            + "(/registrar/claims/orders); this registration writes nothing until the claim is released");
    assertThat(new Decision.Conflict("orders", "/registrar/claims/orders", java.util.Optional.empty()).message())
        .isEqualTo("service name 'orders' is claimed by a value Registrar cannot read "
            + "(/registrar/claims/orders); this registration writes nothing until the claim is released");
    assertThat(Decider.Target.of(holder, "orders"))
        .isEqualTo(new Decider.Target(holder, "orders", "/registrar/claims/orders", false, java.util.List.of()));
  }
}
