package verity.envs;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The three disjoint parts of a suite's tasks: {@code TRAIN} is what the training generator draws
 * from, {@code VALIDATION} what a run watches while it trains ({@code --target-pass}, the pass@1
 * curve), {@code TEST} what its initial and final pass@1 report. A suite that holds nothing out
 * answers {@link Suite#split} for validation and test with its training tasks, labelled {@code
 * train}, so that a training-set score is never shown as anything else.
 */
public enum Split {
  TRAIN,
  VALIDATION,
  TEST;

  /** The word reports print: {@code train}, {@code validation}, {@code test}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Assigns {@code n} items to splits by a seeded shuffle: {@code validation} of them to {@link
   * #VALIDATION}, the next {@code test} to {@link #TEST}, the rest to {@link #TRAIN}. How a suite
   * fixes its splits independently of a run's seed; disjoint by construction.
   *
   * @throws IllegalArgumentException when {@code validation + test} exceeds {@code n}
   */
  public static Split[] assign(int n, int validation, int test, long seed) {
    if (validation < 0 || test < 0 || validation + test > n) {
      throw new IllegalArgumentException(
          "cannot hold out " + validation + " + " + test + " of " + n + " items");
    }
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    Split[] out = new Split[n];
    for (int i = 0; i < n; i++) {
      out[order[i]] = i < validation ? VALIDATION : i < validation + test ? TEST : TRAIN;
    }
    return out;
  }
}
