package dev.registrar.operator.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A plan and a stored key are values: equal by content (byte arrays included), and readable in logs. */
class PlanTest {

  static byte[] v(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void aPutIsEqualByKeyValueBytesAndRevision() {
    Plan.Put put = new Plan.Put("/s/a/1:1", v("x"), 3);
    assertThat(put).isEqualTo(new Plan.Put("/s/a/1:1", v("x"), 3)).hasSameHashCodeAs(new Plan.Put("/s/a/1:1", v("x"), 3));
    assertThat(put).isNotEqualTo(new Plan.Put("/s/a/2:1", v("x"), 3));
    assertThat(put).isNotEqualTo(new Plan.Put("/s/a/1:1", v("y"), 3));
    assertThat(put).isNotEqualTo(new Plan.Put("/s/a/1:1", v("x"), 4));
    assertThat(put).isNotEqualTo("/s/a/1:1");
    assertThat(put).hasToString("Put[/s/a/1:1, expectedModRevision=3]");
  }

  @Test
  void aStoredKeyIsEqualByValueBytesLeaseAndRevision() {
    StoredKey key = new StoredKey(v("x"), 0x42, 7);
    assertThat(key).isEqualTo(new StoredKey(v("x"), 0x42, 7)).hasSameHashCodeAs(new StoredKey(v("x"), 0x42, 7));
    assertThat(key).isNotEqualTo(new StoredKey(v("y"), 0x42, 7));
    assertThat(key).isNotEqualTo(new StoredKey(v("x"), 0x43, 7));
    assertThat(key).isNotEqualTo(new StoredKey(v("x"), 0x42, 8));
    assertThat(key).isNotEqualTo(v("x"));
    assertThat(key.hashCode()).isNotEqualTo(new StoredKey(v("x"), 0x43, 7).hashCode())
        .isNotEqualTo(new StoredKey(v("x"), 0x42, 8).hashCode()).isNotEqualTo(new StoredKey(v("y"), 0x42, 7).hashCode());
    assertThat(key).hasToString("StoredKey[1 bytes, lease=42, modRevision=7]");
  }

  @Test
  void onlyKeepsTheOperationsOnAcceptedKeysInOrder() {
    Plan plan = new Plan(List.of(new Plan.Put("/s/a/1:1", v("x"), 0), new Plan.Put("/r/claims/a", v("o"), 0),
        new Plan.Put("/s/a/2:1", v("y"), 0)), List.of(new Plan.Delete("/s/a/3:1", 5), new Plan.Delete("/r/claims/b", 6)));
    Plan services = plan.only(key -> key.startsWith("/s/"));
    assertThat(services.puts()).extracting(Plan.Put::key).containsExactly("/s/a/1:1", "/s/a/2:1");
    assertThat(services.deletes()).extracting(Plan.Delete::key).containsExactly("/s/a/3:1");
    assertThat(plan.only(key -> false).isEmpty()).isTrue();
  }
}
