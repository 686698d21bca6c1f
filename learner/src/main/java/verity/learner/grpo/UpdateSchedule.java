package verity.learner.grpo;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How many optimizer updates a batch makes, as in PPO (Schulman et al. 2017): {@code epochs} passes
 * over the batch, each split into {@code minibatches} minibatches of nearly equal size, shuffled
 * anew in each epoch, one update per minibatch.
 *
 * @param epochs passes over each batch
 * @param minibatches updates per pass
 * @param seed the shuffle's seed; a batch's shuffle also depends on the optimizer's step count, so
 *     a run resumed from a checkpoint shuffles the same way
 */
public record UpdateSchedule(int epochs, int minibatches, long seed) {
  /** One update per batch on the whole batch. */
  public static final UpdateSchedule SINGLE = new UpdateSchedule(1, 1, 0);

  public UpdateSchedule {
    if (epochs < 1 || minibatches < 1) {
      throw new IllegalArgumentException(
          "epochs and minibatches must be >= 1, got " + epochs + " and " + minibatches);
    }
  }

  /** Optimizer updates per batch. */
  public int updates() {
    return epochs * minibatches;
  }

  /**
   * The minibatches of one batch of {@code size} samples, epoch after epoch, as index lists. With
   * one minibatch the order is the batch's own (shuffling would change nothing but float sums).
   *
   * @param optimizerSteps the optimizer's step count before the batch, mixed into the seed
   */
  public List<int[]> minibatchesOf(int size, long optimizerSteps) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + optimizerSteps);
    List<int[]> out = new ArrayList<>(updates());
    int[] order = new int[size];
    for (int e = 0; e < epochs; e++) {
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      if (minibatches > 1) {
        for (int i = size - 1; i > 0; i--) { // Fisher-Yates
          int j = random.nextInt(i + 1);
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
      }
      int base = size / minibatches;
      int extra = size % minibatches;
      int from = 0;
      for (int m = 0; m < minibatches; m++) {
        int n = base + (m < extra ? 1 : 0);
        int[] part = new int[n];
        System.arraycopy(order, from, part, 0, n);
        out.add(part);
        from += n;
      }
    }
    return out;
  }
}
