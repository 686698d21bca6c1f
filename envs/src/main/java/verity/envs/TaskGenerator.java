package verity.envs;

import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/** An endless, seeded stream of training tasks: the same seed gives the same stream. */
public interface TaskGenerator {
  Task next();

  /** Draws from {@code tasks} uniformly, with replacement. */
  static TaskGenerator uniform(List<? extends Task> tasks, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return () -> tasks.get(random.nextInt(tasks.size()));
  }

  /**
   * {@code k} of the indices {@code 0..n-1}, chosen by a seeded shuffle: how a suite picks the
   * tasks it holds out of training, independently of a run's seed.
   */
  static BitSet heldOut(int n, int k, long seed) {
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
    BitSet chosen = new BitSet(n);
    for (int i = 0; i < k; i++) {
      chosen.set(order[i]);
    }
    return chosen;
  }
}
