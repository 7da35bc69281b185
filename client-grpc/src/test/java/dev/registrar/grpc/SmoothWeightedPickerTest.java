package dev.registrar.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.LoadBalancer.SubchannelPicker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmoothWeightedPickerTest {

  static final SubchannelPicker ANY = new WeightedRoundRobinLoadBalancer.FixedPicker(
      io.grpc.LoadBalancer.PickResult.withNoResult());

  @Test
  void eachWindowOfTotalPicksHonoursTheWeightsExactlyAndSpreadsThem() {
    SmoothWeightedPicker picker = new SmoothWeightedPicker(List.of(ANY, ANY, ANY), new int[] {5, 1, 1});
    List<Integer> window = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      window.add(picker.next());
    }
    // nginx's example: a a b a c a a, not a a a a a b c.
    assertThat(window).containsExactly(0, 0, 1, 0, 2, 0, 0);
    SmoothWeightedPicker big = new SmoothWeightedPicker(List.of(ANY, ANY, ANY), new int[] {100, 300, 600});
    int[] counts = new int[3];
    for (int i = 0; i < 10_000; i++) {
      counts[big.next()]++;
    }
    assertThat(counts).containsExactly(1_000, 3_000, 6_000);
  }

  @Test
  void longestRunOfOneInstanceStaysShort() {
    SmoothWeightedPicker picker = new SmoothWeightedPicker(List.of(ANY, ANY), new int[] {1, 1});
    List<Integer> picks = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      picks.add(picker.next());
    }
    assertThat(Collections.frequency(picks, 0)).isEqualTo(50);
    for (int i = 1; i < picks.size(); i++) {
      assertThat(picks.get(i)).isNotEqualTo(picks.get(i - 1));
    }
  }

  @Test
  void weightsMustBePositive() {
    assertThatThrownBy(() -> new SmoothWeightedPicker(List.of(ANY), new int[] {0}))
        .hasMessage("weights must be positive: 0");
  }

  @Test
  void aPickIsTheChosenEntrysOwnPickAndTheWeightsShowInItsName() {
    io.grpc.LoadBalancer.PickResult fromA = io.grpc.LoadBalancer.PickResult.withNoResult();
    io.grpc.LoadBalancer.PickResult fromB = io.grpc.LoadBalancer.PickResult.withError(io.grpc.Status.UNAVAILABLE);
    SmoothWeightedPicker picker = new SmoothWeightedPicker(List.of(new WeightedRoundRobinLoadBalancer.FixedPicker(fromA),
        new WeightedRoundRobinLoadBalancer.FixedPicker(fromB)), new int[] {1, 3});
    List<io.grpc.LoadBalancer.PickResult> picks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      picks.add(picker.pickSubchannel(null));
    }
    assertThat(picks).containsExactly(fromB, fromA, fromB, fromB);
    assertThat(picker).hasToString("SmoothWeightedPicker[1, 3]");
  }
}
