package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import verity.envs.CheckResult;
import verity.envs.Split;
import verity.envs.Task;
import verity.envs.arith.ArithmeticSuite;
import verity.policy.Policy;

/** Greedy pass@1 as the evaluator and the benchmarks' plain loop compute it. */
class GreedyPassTest {

  @Test
  void shouldCountTheFractionOfTasksWhoseGreedyCompletionIsCorrect() {
    var suite = ArithmeticSuite.singleDigit();
    List<Task> tasks = suite.split(Split.TEST).tasks().subList(0, 8);
    Set<String> right = Set.of(tasks.get(1).id(), tasks.get(4).id());
    List<String> checked = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    try (Policy p = Policy.create(RolloutWorkerTest.SPEC, Device.cpu(), 3)) {
      double pass =
          GreedyPass.of(
              p,
              suite,
              tasks,
              (task, text) -> {
                checked.add(task.id());
                texts.add(text);
                return right.contains(task.id()) ? CheckResult.correct() : CheckResult.wrong();
              });
      assertEquals(2 / 8.0, pass, 1e-12);
      assertEquals(tasks.stream().map(Task::id).toList(), checked);
      // Greedy: the same policy gives the same completions again.
      List<String> again = new ArrayList<>();
      GreedyPass.of(
          p,
          suite,
          tasks,
          (task, text) -> {
            again.add(text);
            return CheckResult.wrong();
          });
      assertEquals(texts, again);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> GreedyPass.of(null, suite, List.of(), (t, s) -> CheckResult.wrong()));
  }
}
