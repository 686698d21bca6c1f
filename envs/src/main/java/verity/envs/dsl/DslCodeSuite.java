package verity.envs.dsl;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import verity.envs.CheckPlan;
import verity.envs.Environment;
import verity.envs.MalformedTaskException;
import verity.envs.SingleTurnEnvironment;
import verity.envs.Split;
import verity.envs.SplitTasks;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.envs.UnknownTaskException;

/**
 * Write a program in a tiny stack language ({@link DslInterpreter}) that computes the function
 * whose examples the prompt shows ({@link DslExamples}); the check runs it on hidden inputs. One
 * turn: the completion is the program, one operation per character (per token of a character
 * tokenizer), ended by end-of-sequence.
 *
 * <p>Grammar: {@code program := op+} (at most {@link #maxCompletionTokens()} operations), {@code op
 * := digit | x | + | - | * | d | s | p | m | a | [ program ]}. The check interprets the program
 * itself, bounded by {@link DslLimits}; no host code runs, so no sandbox is needed and {@link
 * #runsPrograms()} stays false.
 *
 * <p>Splits are per family: of each family's parameter tuples, one in {@value #HELD_OUT_ONE_IN}
 * (rounded up) goes to validation and as many to test, chosen by a shuffle with {@link
 * #SPLIT_SEED}; the rest are training. Every family is in every split (a held-out task is a new
 * function of a family seen in training, as before this split). Task records are {@code {"id":
 * "affine:3:-2"}} or {@code {"family": "affine", "a": 3, "b": -2}} (parameter names as in {@link
 * DslFamily#parameters()}).
 */
public final class DslCodeSuite implements Suite {
  /** Fixes which tuples are held out, independently of the run's seed. */
  public static final long SPLIT_SEED = 0xD51_C0DEL;

  /** One tuple in this many (rounded up, per family) goes to validation, and as many to test. */
  private static final int HELD_OUT_ONE_IN = 8;

  /** Long enough for every target program with room to spare, short enough to find by sampling. */
  private static final int MAX_PROGRAM = 16;

  private final String name;
  private final DslChecker checker;
  private final List<DslTask> training;
  private final Map<Split, SplitTasks> splits = new EnumMap<>(Split.class);

  public DslCodeSuite(String name, DslLimits limits) {
    this.name = name;
    this.checker = new DslChecker(limits, MAX_PROGRAM);
    Map<Split, List<Task>> bySplit = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      bySplit.put(s, new ArrayList<>());
    }
    for (DslFamily family : DslFamily.values()) {
      List<int[]> all = family.allParameters();
      int k = (all.size() + HELD_OUT_ONE_IN - 1) / HELD_OUT_ONE_IN;
      Split[] assigned = Split.assign(all.size(), k, k, SPLIT_SEED + family.ordinal());
      for (int i = 0; i < all.size(); i++) {
        bySplit.get(assigned[i]).add(task(family, all.get(i)));
      }
    }
    bySplit.forEach((s, tasks) -> splits.put(s, new SplitTasks(s, tasks)));
    this.training = splits.get(Split.TRAIN).tasks().stream().map(DslTask.class::cast).toList();
  }

  /** {@code dsl-code} with {@link DslLimits#DEFAULT}. */
  public static DslCodeSuite standard() {
    return new DslCodeSuite("dsl-code", DslLimits.DEFAULT);
  }

  /**
   * The task for this function, whatever its split.
   *
   * @throws UnknownTaskException when the parameters are out of the family's range
   */
  public DslTask task(DslFamily family, int... params) {
    if (!family.accepts(params)) {
      throw new UnknownTaskException(name, DslTask.id(family, params));
    }
    return new DslTask(family, params.clone(), DslExamples.prompt(family, params));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> alphabet() {
    return DslAlphabet.ALPHABET;
  }

  @Override
  public int maxPromptTokens() {
    return DslExamples.promptLength() + 1;
  }

  @Override
  public int maxCompletionTokens() {
    return MAX_PROGRAM;
  }

  @Override
  public TaskGenerator generator(long seed) {
    return TaskGenerator.uniform(training, seed);
  }

  @Override
  public SplitTasks split(Split split) {
    return splits.get(split);
  }

  @Override
  public String splitRule() {
    return "per family, one parameter tuple in "
        + HELD_OUT_ONE_IN
        + " (rounded up) validation and as many test, by a fixed seed: validation "
        + splits.get(Split.VALIDATION).tasks().size()
        + " tasks, test "
        + splits.get(Split.TEST).tasks().size()
        + ", training "
        + training.size();
  }

  /** Resolves {@code <family>:<p1>[:<p2>]}, e.g. {@code max:5} or {@code affine:3:-2}. */
  @Override
  public Task lookup(String taskId) {
    String[] parts = taskId.split(":", -1);
    DslFamily family = DslFamily.byLabel(parts[0]);
    if (family == null || parts.length - 1 != family.parameters().size()) {
      throw new UnknownTaskException(name, taskId);
    }
    int[] params = new int[parts.length - 1];
    try {
      for (int i = 0; i < params.length; i++) {
        params[i] = Integer.parseInt(parts[i + 1]);
      }
    } catch (NumberFormatException e) {
      throw new UnknownTaskException(name, taskId);
    }
    // One id per task: "max:05" or "max:+5" would name "max:5" a second time.
    if (!DslTask.id(family, params).equals(taskId)) {
      throw new UnknownTaskException(name, taskId);
    }
    return task(family, params);
  }

  @Override
  public Environment newEnvironment(Task task) {
    return new SingleTurnEnvironment();
  }

  /** The family's program for the task's parameters. */
  @Override
  public Optional<String> demonstration(Task task) {
    if (!(task instanceof DslTask t)) {
      return Optional.empty();
    }
    return Optional.of(t.family().program(t.params()));
  }

  /** Reads {@code {"id": "affine:3:-2"}} or {@code {"family": "affine", "a": 3, "b": -2}}. */
  @Override
  public Task taskFromRecord(Map<String, Object> record) {
    try {
      if (record.get("family") instanceof String label) {
        DslFamily family = DslFamily.byLabel(label);
        if (family == null) {
          throw new MalformedTaskException(name + " has no function family '" + label + "'");
        }
        List<String> names = family.parameters();
        int[] params = new int[names.size()];
        for (int i = 0; i < params.length; i++) {
          if (!(record.get(names.get(i)) instanceof Number n) || n.doubleValue() != n.intValue()) {
            throw new MalformedTaskException(
                name + " " + label + " records need integer fields " + names);
          }
          params[i] = n.intValue();
        }
        return task(family, params);
      }
      if (record.get("id") instanceof String id) {
        return lookup(id);
      }
    } catch (UnknownTaskException e) {
      throw new MalformedTaskException(e.getMessage());
    }
    throw new MalformedTaskException(
        name + " task records need a \"family\" and its parameters (or an \"id\" like \"max:5\")");
  }

  @Override
  public CheckPlan plan(Task task, String completion) {
    if (!(task instanceof DslTask t)) {
      throw new IllegalArgumentException(name + " cannot check a " + task.getClass().getName());
    }
    return new CheckPlan.Judged(checker.check(t, completion));
  }
}
