package verity.rollout;

import java.util.List;
import java.util.function.BiFunction;
import verity.envs.CheckResult;
import verity.envs.Outcome;
import verity.envs.Suite;
import verity.envs.Task;
import verity.policy.Policy;

/**
 * Greedy pass@1 of a policy on a list of tasks: one greedy episode per task (environment seed = its
 * index), its completion checked, the fraction judged correct. Plain Java, blocking: the {@link
 * Evaluator} runs it on the compute dispatcher, and the benchmarks' plain GRPO loop calls it
 * directly, so that both score alike.
 */
public final class GreedyPass {
  private GreedyPass() {}

  /**
   * @param checker the suite's check of a completion's text
   * @throws IllegalArgumentException when there are no tasks
   */
  public static double of(
      Policy policy, Suite suite, List<Task> tasks, BiFunction<Task, String, CheckResult> checker) {
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("no tasks to evaluate on");
    }
    long[] seeds = new long[tasks.size()];
    java.util.Arrays.setAll(seeds, i -> i);
    List<EpisodeRunner.Result> episodes =
        EpisodeRunner.run(policy, suite, tasks, seeds, 1f, null, () -> null);
    int correct = 0;
    for (int i = 0; i < tasks.size(); i++) {
      String text = episodes.get(i).completion();
      correct += checker.apply(tasks.get(i), text).outcome() == Outcome.CORRECT ? 1 : 0;
    }
    return correct / (double) tasks.size();
  }
}
