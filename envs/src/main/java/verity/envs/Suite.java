package verity.envs;

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

  /**
   * An action (the policy's output in one turn) ends at end-of-sequence or after this many tokens;
   * for a single-turn suite this bounds the whole completion.
   */
  int maxCompletionTokens();

  /**
   * The tokens the policy may emit as actions; empty means any token of the vocabulary. An
   * environment whose actions are a few tokens out of a larger vocabulary (moves among observation
   * symbols) says so here, and the policy's other logits are masked out when sampling and training.
   */
  default int[] actionTokens() {
    return new int[0];
  }

  /** Turns (policy actions) an episode may take before it is cut off; 1 for single-turn suites. */
  default int horizon() {
    return 1;
  }

  /**
   * True when checking a completion runs untrusted code ({@link CheckPlan.RunProgram}): such a
   * suite must not start where no sandbox is available.
   */
  default boolean runsPrograms() {
    return false;
  }

  /** The training stream for this seed: it draws only tasks of {@link Split#TRAIN}. */
  TaskGenerator generator(long seed);

  /**
   * The tasks greedy pass@1 is measured on for {@code split}, labelled with the split they are
   * really from: validation and test tasks are never drawn for training and are disjoint from each
   * other; a suite that holds nothing out answers them with its training tasks, labelled {@link
   * Split#TRAIN}. For {@code TRAIN} a suite whose training stream is unbounded may return a fixed
   * sample of it.
   */
  SplitTasks split(Split split);

  /** How the suite's splits are made, in one or two sentences, for logs and documentation. */
  String splitRule();

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

  /**
   * Reads a task from its record, as in the suite's JSONL files or a {@code verify} input line.
   *
   * @throws MalformedTaskException naming what is missing or wrong
   */
  Task taskFromRecord(java.util.Map<String, Object> record);

  /**
   * How to verify a completion: the text the policy wrote (its tokens decoded with {@link
   * #vocabulary()} up to end-of-sequence) or, for environments, the action log.
   */
  CheckPlan plan(Task task, String completion);

  /**
   * Verifies a completion of a suite whose check is pure.
   *
   * @throws IllegalStateException for a suite whose check must run a program in a sandbox
   */
  default CheckResult check(Task task, String completion) {
    CheckPlan plan = plan(task, completion);
    if (plan instanceof CheckPlan.Judged judged) {
      return judged.result();
    }
    throw new IllegalStateException(name() + " checks by running a program: use a verifier");
  }

  /** Decodes policy tokens (actions only, in order) into the text {@link #plan} reads. */
  default String completionText(int[] actionTokens) {
    return vocabulary().decode(actionTokens);
  }
}
