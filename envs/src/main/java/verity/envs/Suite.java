package verity.envs;

import java.util.List;
import java.util.Optional;

/**
 * A family of tasks with its environment and its pure check, speaking text: prompts, observations
 * and completions are strings, and the tokenizer belongs to the policy, so a suite runs unchanged
 * with any policy. Rollout workers use a suite to draw tasks and step episodes; reward verifiers
 * use their own copy of it to look a task up by id and score a completion without trusting the
 * worker.
 *
 * <p>Lengths are counted in the tokens of a character tokenizer built from {@link #alphabet()}: one
 * per character, end-of-sequence included. A tokenizer whose tokens may span several characters
 * (byte-level BPE) needs no more than that for the suite's text.
 */
public interface Suite {
  String name();

  /**
   * The characters this suite's prompts, observations and completions are written in, one per
   * string, in a fixed order: a character tokenizer (the GRU's) is built from them, and the ids of
   * its tokens follow that order.
   */
  List<String> alphabet();

  /** Prompts are left-padded to this many tokens (including the begin-of-sequence token). */
  int maxPromptTokens();

  /**
   * An action (the policy's output in one turn) ends at end-of-sequence or after this many tokens;
   * for a single-turn suite this bounds the whole completion.
   */
  int maxCompletionTokens();

  /**
   * The texts an action may be, each a single symbol of the alphabet; empty means any text. An
   * environment whose actions are a few symbols (moves among observation symbols) says so here; the
   * policy's tokenizer must give each one token, and every other logit is masked out when sampling
   * and training.
   */
  default List<String> actions() {
    return List.of();
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
   * A reference completion for a training task as text (for a multi-turn suite, its actions one
   * after another), for a supervised warm start; empty when the suite has none.
   */
  default Optional<String> demonstration(Task task) {
    return Optional.empty();
  }

  /**
   * Reads a task from its record, as in the suite's JSONL files or a {@code verify} input line.
   *
   * @throws MalformedTaskException naming what is missing or wrong
   */
  Task taskFromRecord(java.util.Map<String, Object> record);

  /**
   * How to verify a completion: the text the policy wrote, each turn's action up to its
   * end-of-sequence, turns one after another (for a multi-turn environment, its action log).
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
}
