package dev.registrar.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchFlagsTest {

  @Test
  void helpIsTheUsageNotARunWithTheDefaults() {
    assertThatThrownBy(() -> ScaleBench.Params.parse(List.of("--help")))
        .isInstanceOfSatisfying(BenchFlags.UsageException.class, e -> assertThat(e.help()).isTrue())
        .hasMessageStartingWith("usage: java -jar registrar-bench.jar scale");
  }

  @Test
  void aFlagWithoutItsValueIsRefused() {
    assertThatThrownBy(() -> ScaleBench.Params.parse(List.of("--pods", "500", "--gate-mass")))
        .isInstanceOfSatisfying(BenchFlags.UsageException.class, e -> assertThat(e.help()).isFalse())
        .hasMessageStartingWith("flag --gate-mass needs a value");
  }

  @Test
  void anUnknownFlagIsRefusedByName() {
    assertThatThrownBy(() -> RegistrarBench.Params.parse(new String[] {"--podz", "5"}))
        .hasMessageStartingWith("unknown flags [podz]");
  }

  @Test
  void aBareWordIsRefused() {
    assertThatThrownBy(() -> ScaleBench.Params.parse(List.of("100000")))
        .hasMessageStartingWith("unexpected argument 100000");
  }

  @Test
  void givenFlagsOverrideTheDefaults() {
    ScaleBench.Params p = ScaleBench.Params.parse(List.of("--pods", "500", "--sweep-threads", "2,50"));
    assertThat(p.pods()).isEqualTo(500);
    assertThat(p.registrations()).isEqualTo(100);
    assertThat(p.sweepThreads()).containsExactly(2, 50);
  }
}
