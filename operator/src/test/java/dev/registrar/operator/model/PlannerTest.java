package dev.registrar.operator.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {

  static final long LEASE = 0x42;

  static byte[] v(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void nothingToDoWhenEtcdHoldsExactlyTheDesiredKeysUnderTheLease() {
    Plan plan = Planner.calculate(Map.of("/s/a/1:1", v("x")), Map.of("/s/a/1:1", new StoredKey(v("x"), LEASE, 7)), LEASE);
    assertThat(plan.isEmpty()).isTrue();
    assertThat(Planner.calculate(Map.of(), Map.of(), LEASE).isEmpty()).isTrue();
  }

  @Test
  void newKeysArePutAndMustNotExistYet() {
    Plan plan = Planner.calculate(Map.of("/s/a/1:1", v("x")), Map.of(), LEASE);
    assertThat(plan.puts()).containsExactly(new Plan.Put("/s/a/1:1", v("x"), 0));
    assertThat(plan.deletes()).isEmpty();
  }

  @Test
  void changedValuesAndKeysOnAnotherLeaseAreRewrittenAtTheRevisionRead() {
    Plan plan = Planner.calculate(
        Map.of("/s/a/1:1", v("new"), "/s/a/2:1", v("same")),
        Map.of("/s/a/1:1", new StoredKey(v("old"), LEASE, 5), "/s/a/2:1", new StoredKey(v("same"), 0x99, 6)),
        LEASE);
    assertThat(plan.puts()).containsExactly(
        new Plan.Put("/s/a/1:1", v("new"), 5), new Plan.Put("/s/a/2:1", v("same"), 6));
    assertThat(plan.deletes()).isEmpty();
  }

  @Test
  void ownedKeysNoLongerDesiredAreDeletedAtTheRevisionRead() {
    Plan plan = Planner.calculate(Map.of("/s/a/1:1", v("x")),
        Map.of("/s/a/1:1", new StoredKey(v("x"), LEASE, 3), "/s/a/2:1", new StoredKey(v("y"), LEASE, 4)), LEASE);
    assertThat(plan.puts()).isEmpty();
    assertThat(plan.deletes()).containsExactly(new Plan.Delete("/s/a/2:1", 4));
    assertThat(plan.size()).isEqualTo(1);
  }

  @Test
  void aMixedChangeListsEveryOperationOnceInKeyOrder() {
    Plan plan = Planner.calculate(
        Map.of("/s/a/3:1", v("c"), "/s/a/1:1", v("a"), "/s/a/2:1", v("b2")),
        Map.of("/s/a/2:1", new StoredKey(v("b"), LEASE, 2), "/s/a/4:1", new StoredKey(v("d"), LEASE, 4),
            "/s/a/1:1", new StoredKey(v("a"), LEASE, 1)),
        LEASE);
    assertThat(plan.puts()).extracting(Plan.Put::key).containsExactly("/s/a/2:1", "/s/a/3:1");
    assertThat(plan.deletes()).extracting(Plan.Delete::key).containsExactly("/s/a/4:1");
  }
}
