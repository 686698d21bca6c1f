package verity.envs;

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
}
