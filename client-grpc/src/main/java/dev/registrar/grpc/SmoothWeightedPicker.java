package dev.registrar.grpc;

import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.SubchannelPicker;
import java.util.List;

/**
 * Smooth weighted round robin (nginx's): each pick adds every entry's weight to its running score,
 * takes the highest score and lowers it by the total. Over any window of {@code total} picks each
 * entry is chosen exactly {@code weight} times, spread out rather than in runs.
 */
final class SmoothWeightedPicker extends SubchannelPicker {

  private final List<SubchannelPicker> pickers;
  private final int[] weights;
  private final long[] scores;
  private final long total;

  /** @param weights all positive, one per picker */
  SmoothWeightedPicker(List<SubchannelPicker> pickers, int[] weights) {
    if (pickers.isEmpty() || pickers.size() != weights.length) {
      throw new IllegalArgumentException("one positive weight per picker expected");
    }
    long sum = 0;
    for (int weight : weights) {
      if (weight <= 0) {
        throw new IllegalArgumentException("weights must be positive: " + weight);
      }
      sum += weight;
    }
    this.pickers = List.copyOf(pickers);
    this.weights = weights.clone();
    this.scores = new long[weights.length];
    this.total = sum;
  }

  @Override
  public PickResult pickSubchannel(PickSubchannelArgs args) {
    return pickers.get(next()).pickSubchannel(args);
  }

  /** The index of the next entry. */
  synchronized int next() {
    int best = 0;
    for (int i = 0; i < scores.length; i++) {
      scores[i] += weights[i];
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    scores[best] -= total;
    return best;
  }

  @Override
  public String toString() {
    return "SmoothWeightedPicker" + java.util.Arrays.toString(weights);
  }
}
