package dev.registrar.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodOverridesTest {

  static final Map<String, String> SPEC_METADATA = Map.of("team", "payments", "track", "stable");

  static PodOverrides of(Map<String, String> annotations) {
    return PodOverrides.of(annotations, "1.4.0", 100, SPEC_METADATA);
  }

  @Test
  void withoutAnnotationsThePodPublishesTheRegistrationsValues() {
    PodOverrides values = of(Map.of("prometheus.io/scrape", "true"));

    assertThat(values).isEqualTo(new PodOverrides("1.4.0", 100, SPEC_METADATA, List.of()));
    assertThat(PodOverrides.of(null, null, 100, null)).isEqualTo(new PodOverrides(null, 100, Map.of(), List.of()));
  }

  @Test
  void aCanaryCarriesItsOwnWeightVersionAndMetadataMergedOverTheRegistrations() {
    PodOverrides values = of(Map.of("registrar.dev/weight", "5", "registrar.dev/version", "2.0.0-rc1",
        "metadata.registrar.dev/track", "canary", "metadata.registrar.dev/build", "4711"));

    assertThat(values.weight()).isEqualTo(5);
    assertThat(values.version()).isEqualTo("2.0.0-rc1");
    assertThat(values.metadata()).containsExactlyInAnyOrderEntriesOf(
        Map.of("team", "payments", "track", "canary", "build", "4711"));
    assertThat(values.ignored()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"0,0", "10000,10000", "100,100", "007,7", "9999,9999", "9,9"})
  void weightsFromZeroToTenThousandAreTaken(String annotation, int weight) {
    assertThat(of(Map.of("registrar.dev/weight", annotation)).weight()).isEqualTo(weight);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"heavy", "-1", "10001", "99999999999", "5.0", "+5", "' 5'", "''"})
  void aWeightThatIsNoWholeNumberInRangeIsIgnoredAndNamed(String annotation) {
    PodOverrides values = of(Map.of("registrar.dev/weight", annotation, "registrar.dev/version", "2.0.0"));

    assertThat(values.weight()).isEqualTo(100);
    assertThat(values.version()).isEqualTo("2.0.0"); // the valid override still applies
    assertThat(values.ignored()).singleElement().asString()
        .startsWith("registrar.dev/weight=").endsWith("ignored: it must be a whole number from 0 to 10000");
  }

  @Test
  void aVersionOfMoreThanSixtyFourCharactersIsIgnored() {
    PodOverrides values = of(Map.of("registrar.dev/version", "v".repeat(65)));

    assertThat(values.version()).isEqualTo("1.4.0");
    assertThat(values.ignored()).containsExactly("registrar.dev/version ignored: it must be 1 to 64 characters, not 65");
    assertThat(of(Map.of("registrar.dev/version", "v".repeat(64))).version()).hasSize(64);
  }

  @Test
  void aMetadataValueOverTheLimitIsIgnoredAloneAndTooManyEntriesIgnoreEveryMetadataOverride() {
    PodOverrides long256 = of(Map.of("metadata.registrar.dev/notes", "x".repeat(257),
        "metadata.registrar.dev/track", "canary"));
    assertThat(long256.metadata()).containsEntry("track", "canary").doesNotContainKey("notes");
    assertThat(long256.ignored()).containsExactly(
        "metadata.registrar.dev/notes ignored: the value is 257 characters, more than 256");

    Map<String, String> many = new HashMap<>();
    IntStream.range(0, 31).forEach(i -> many.put("metadata.registrar.dev/k" + i, "v"));
    PodOverrides tooMany = of(many); // 2 of the spec + 31 = 33 entries
    assertThat(tooMany.metadata()).isEqualTo(SPEC_METADATA);
    assertThat(tooMany.ignored()).containsExactly("metadata.registrar.dev/* ignored: merged over spec.metadata "
        + "they make 33 entries, more than the 32 allowed");
  }

  @Test
  void onlyTheOperatorsAnnotationsCount() {
    assertThat(PodOverrides.present(Map.of("app.kubernetes.io/version", "3"))).isFalse();
    assertThat(PodOverrides.present(Map.of("metadata.registrar.dev/zone-hint", "a"))).isTrue();
    assertThat(PodOverrides.present(null)).isFalse();
  }

  @Test
  void aBadWeightIsQuotedWholeUpToTwentyCharactersAndAbbreviatedBeyond() {
    assertThat(of(Map.of("registrar.dev/weight", "a".repeat(20))).ignored()).singleElement().asString()
        .startsWith("registrar.dev/weight='" + "a".repeat(20) + "' ignored");
    assertThat(of(Map.of("registrar.dev/weight", "a".repeat(21))).ignored()).singleElement().asString()
        .startsWith("registrar.dev/weight='" + "a".repeat(20) + "...' ignored");
  }

  @Test
  void aMetadataKeyOfSixtyThreeCharactersIsTakenAndOneOfSixtyFourOrNoneIsIgnored() {
    assertThat(of(Map.of("metadata.registrar.dev/" + "k".repeat(63), "v")).metadata()).containsEntry("k".repeat(63), "v");
    assertThat(of(Map.of("metadata.registrar.dev/" + "k".repeat(64), "v")).ignored()).containsExactly(
        "metadata.registrar.dev/" + "k".repeat(64) + " ignored: the key must be 1 to 63 characters");
    assertThat(of(Map.of("metadata.registrar.dev/", "v")).ignored()).containsExactly(
        "metadata.registrar.dev/ ignored: the key must be 1 to 63 characters");
    assertThat(of(Map.of("metadata.registrar.dev/notes", "x".repeat(256))).metadata()).containsEntry("notes", "x".repeat(256));
  }

  @Test
  void exactlyThirtyTwoMergedEntriesAreKept() {
    Map<String, String> many = new HashMap<>();
    IntStream.range(0, 30).forEach(i -> many.put("metadata.registrar.dev/k" + i, "v"));
    PodOverrides full = of(many); // 2 of the spec + 30 = 32 entries
    assertThat(full.metadata()).hasSize(32);
    assertThat(full.ignored()).isEmpty();
  }
}
