package verity.envs.python;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import verity.envs.Alphabets;
import verity.envs.CheckPlan;
import verity.envs.CheckResult;
import verity.envs.Environment;
import verity.envs.MalformedTaskException;
import verity.envs.SingleTurnEnvironment;
import verity.envs.Split;
import verity.envs.SplitTasks;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.envs.UnknownTaskException;
import verity.envs.jsonl.JsonlRecords;

/**
 * Write a Python function that passes a task's asserts (MBPP's {@code test_list} convention). The
 * completion is run in a sandbox by the {@code reward} module; this class only builds the program
 * and judges its report, and never runs code itself.
 *
 * <p>The program is a two-process harness, so that the candidate cannot forge success. A trusted
 * <em>supervisor</em> ({@code supervisor.py}) runs as pid 1 of the sandbox, makes itself undumpable
 * (no {@code /proc/1/mem}, {@code /proc/1/fd} or ptrace for its same-uid children) and drops the
 * standard input that held the program. It starts the candidate's code in a separate process
 * ({@code candidate.py}) whose stdout and stderr go to {@code /dev/null}, and talks to it over two
 * private pipes. For each test it splits the assert: the maximal operands that mention names the
 * candidate may define (such as {@code f(1)}) are evaluated by the candidate's process in the
 * candidate's namespace and sent back as plain data (numbers, strings, bytes, containers of them);
 * the test's own logic (comparisons, arithmetic, builtins, literals such as the expected value) is
 * evaluated by the supervisor on those copies. Only the supervisor writes the report, once, to the
 * sandbox's stdout, tagged with a random nonce drawn per plan. The judge ({@link PythonJudge})
 * accepts exactly one report with that nonce, whose count of passed tests equals the task's number
 * of tests, from a run that exited cleanly before its deadline.
 *
 * <p>So an early {@code sys.exit(0)} or {@code os._exit(0)}, printed "passed" lines, a guessed
 * report, a zero exit code, a patched {@code assert}, {@code AssertionError} or harness, or an
 * object whose {@code __eq__} always answers true all prove nothing: the candidate's process never
 * sees the expected values, cannot reach the report channel, cannot read the nonce, and cannot kill
 * the supervisor (signals from inside a pid namespace do not reach its pid 1).
 *
 * <p>Limits: builtin names and {@code math} in a test always mean the real ones, so a task's
 * function must not be named like a builtin. A test whose candidate-dependent part is a
 * comprehension or lambda is evaluated whole by the candidate, so expected values written inside
 * such a part are visible to it; write {@code [f(x) for x in xs] == [...]}, not {@code all(f(x) ==
 * y for ...)}. Answers must be plain data: a function returning its own class fails the test. Both
 * processes run with the standard library only ({@code python3 -I -S}). The candidate can still
 * write an answer table for the tests it is shown in the prompt; that is a task-design question,
 * not the harness's. Guarantees rest on the sandbox (bubblewrap with a pid namespace, {@code
 * --as-pid-1} and no capabilities).
 */
public final class PythonCodeSuite implements Suite {
  public static final String NAME = "python-code";

  /** Fixes which tasks are held out, independently of the run's seed. */
  public static final long SPLIT_SEED = 0x5EED_C0DEL;

  /** Validation tasks in the shipped file; as many again are test tasks. */
  public static final int HELD_OUT_PER_SPLIT = 4;

  public static final int MAX_PROMPT_TOKENS = 512;
  public static final int MAX_COMPLETION_TOKENS = 512;

  /**
   * Limits of one run: generous for the small functions of the task file, tight enough that a
   * hostile completion costs little.
   */
  public static final CheckPlan.Limits DEFAULT_LIMITS =
      new CheckPlan.Limits(
          Duration.ofSeconds(10),
          Duration.ofSeconds(5),
          512L * 1024 * 1024,
          16,
          1024L * 1024,
          64 * 1024);

  static final String TASK_FILE = PythonHarness.RESOURCES + "tasks.jsonl";

  /** Newline, tab, then printable ASCII. */
  static final List<String> ALPHABET = Alphabets.of("\n\t" + Alphabets.PRINTABLE_ASCII);

  private final List<PythonTask> training;
  private final Map<Split, SplitTasks> splits = new EnumMap<>(Split.class);
  private final Map<String, PythonTask> byId = new LinkedHashMap<>();
  private final CheckPlan.Limits limits;
  private final PythonTaskReader reader;
  private final PythonHarness harness = new PythonHarness();
  private final SecureRandom nonces = new SecureRandom();

  /**
   * @param tasks all tasks, in a fixed order
   * @param heldOutPerSplit how many of them are validation tasks, and as many again test tasks
   *     (drawn with {@link #SPLIT_SEED}); 0 means training covers every task, and validation and
   *     test are that training set, labelled {@code train}
   */
  public PythonCodeSuite(List<PythonTask> tasks, int heldOutPerSplit, CheckPlan.Limits limits) {
    if (tasks.isEmpty() || heldOutPerSplit < 0 || 2 * heldOutPerSplit >= tasks.size()) {
      throw new IllegalArgumentException(
          "need at least one training task: "
              + tasks.size()
              + " tasks, "
              + heldOutPerSplit
              + " validation and as many test");
    }
    for (PythonTask t : tasks) {
      if (byId.put(t.id(), t) != null) {
        throw new IllegalArgumentException("duplicate task id '" + t.id() + "'");
      }
    }
    this.limits = limits;
    this.reader = new PythonTaskReader(ALPHABET, MAX_PROMPT_TOKENS, MAX_COMPLETION_TOKENS);
    Split[] assigned = Split.assign(tasks.size(), heldOutPerSplit, heldOutPerSplit, SPLIT_SEED);
    Map<Split, List<Task>> bySplit = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      bySplit.put(s, new ArrayList<>());
    }
    List<PythonTask> train = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      bySplit.get(assigned[i]).add(tasks.get(i));
      if (assigned[i] == Split.TRAIN) {
        train.add(tasks.get(i));
      }
    }
    this.training = List.copyOf(train);
    SplitTasks trainSplit = new SplitTasks(Split.TRAIN, bySplit.get(Split.TRAIN));
    splits.put(Split.TRAIN, trainSplit);
    for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
      splits.put(s, heldOutPerSplit == 0 ? trainSplit : new SplitTasks(s, bySplit.get(s)));
    }
  }

  /**
   * The shipped task file with {@link #HELD_OUT_PER_SPLIT} validation and as many test tasks, and
   * {@link #DEFAULT_LIMITS}.
   */
  public static PythonCodeSuite standard() {
    PythonTaskReader reader =
        new PythonTaskReader(ALPHABET, MAX_PROMPT_TOKENS, MAX_COMPLETION_TOKENS);
    List<PythonTask> tasks = new ArrayList<>();
    for (JsonlRecords.Line line : JsonlRecords.readResource(TASK_FILE)) {
      tasks.add(reader.read(line.record(), TASK_FILE + ":" + line.number()));
    }
    return new PythonCodeSuite(tasks, HELD_OUT_PER_SPLIT, DEFAULT_LIMITS);
  }

  /** All tasks, training and held out, in file order. */
  public List<PythonTask> tasks() {
    return List.copyOf(byId.values());
  }

  /** The split a task of this suite's file is in. */
  public Split splitOf(Task task) {
    for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
      if (splits.get(s).heldOut() && splits.get(s).tasks().contains(task)) {
        return s;
      }
    }
    return Split.TRAIN;
  }

  public CheckPlan.Limits limits() {
    return limits;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> alphabet() {
    return ALPHABET;
  }

  @Override
  public int maxPromptTokens() {
    return MAX_PROMPT_TOKENS;
  }

  @Override
  public int maxCompletionTokens() {
    return MAX_COMPLETION_TOKENS;
  }

  @Override
  public boolean runsPrograms() {
    return true;
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
    if (!splits.get(Split.VALIDATION).heldOut()) {
      return "no split: all "
          + training.size()
          + " tasks are trained on, and validation and test are that training set, labelled"
          + " train";
    }
    return "whole tasks (one function each) by a fixed seed: validation "
        + splits.get(Split.VALIDATION).tasks().size()
        + ", test "
        + splits.get(Split.TEST).tasks().size()
        + ", training "
        + training.size();
  }

  @Override
  public Task lookup(String taskId) {
    PythonTask t = byId.get(taskId);
    if (t == null) {
      throw new UnknownTaskException(NAME, taskId);
    }
    return t;
  }

  @Override
  public Environment newEnvironment(Task task) {
    return new SingleTurnEnvironment();
  }

  /** The task's reference solution, when it ships one. */
  @Override
  public Optional<String> demonstration(Task task) {
    if (!(task instanceof PythonTask t)) {
      return Optional.empty();
    }
    return t.reference();
  }

  /**
   * Reads {@code {"id", "prompt", "tests": ["assert ...", ...], "solution"?}}, or {@code {"id"}}
   * alone for a task of the shipped file.
   */
  @Override
  public Task taskFromRecord(Map<String, Object> record) {
    if (record.size() == 1 && record.get("id") instanceof String id) {
      try {
        return lookup(id);
      } catch (UnknownTaskException e) {
        throw new MalformedTaskException(e.getMessage());
      }
    }
    return reader.read(record, NAME + " record");
  }

  @Override
  public CheckPlan plan(Task task, String completion) {
    if (!(task instanceof PythonTask t)) {
      throw new IllegalArgumentException(NAME + " cannot check a " + task.getClass().getName());
    }
    if (completion.isBlank()) {
      return new CheckPlan.Judged(CheckResult.malformed("an empty completion"));
    }
    byte[] bytes = new byte[16];
    nonces.nextBytes(bytes);
    String nonce = HexFormat.of().formatHex(bytes);
    CheckPlan.Program program =
        new CheckPlan.Program("python3", harness.program(completion, t.tests(), nonce), limits);
    return new CheckPlan.RunProgram(program, new PythonJudge(nonce, t.tests()));
  }
}
