package verity.envs;

import java.util.List;
import java.util.Optional;

/**
 * A family of tasks with its environment and its pure check. Rollout workers use a suite to draw
 * tasks and step episodes; reward verifiers use their own copy of it to look a task up by id and
 * score a completion without trusting the worker.
 */
public interface Suite {
  String name();

  Vocabulary vocabulary();

  /** Prompts are left-padded to this many tokens (including the begin-of-sequence token). */
  int maxPromptTokens();

  /** Completions are cut after this many tokens (including the end-of-sequence token). */
  int maxCompletionTokens();

  /** The training stream for this seed; never yields an evaluation task of a held-out suite. */
  TaskGenerator generator(long seed);

  /** The tasks greedy pass@1 is measured on. */
  List<Task> evaluationSet();

  /** A short name of the evaluation set, for reports ({@code all}, {@code held-out}). */
  String evaluationSetName();

  /**
   * Resolves a task id.
   *
   * @throws UnknownTaskException when the suite has no such task
   */
  Task lookup(String taskId);

  Environment newEnvironment(Task task);

  /**
   * A reference completion for a training task, for a supervised warm start; empty when the suite
   * has none.
   */
  default Optional<int[]> demonstration(Task task) {
    return Optional.empty();
  }

  /** Scores a completion (the policy's tokens, its end-of-sequence included if it emitted one). */
  CheckResult check(Task task, int[] completion);
}
