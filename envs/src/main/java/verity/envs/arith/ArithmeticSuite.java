package verity.envs.arith;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
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

/**
 * Addition of two non-negative integers up to {@code maxOperand}. The prompt is {@code a+b=} with
 * each operand zero-padded to the width of {@code maxOperand}; the answer is the sum's digits,
 * least significant first when {@code reversedAnswer} (the order in which carries are computed),
 * then end-of-sequence.
 *
 * <p>Splits hold out UNORDERED pairs: {@code {a, b}} goes with both {@code a+b} and {@code b+a}
 * (same answer) to one split, so no held-out task has its mirror image in training. Which pairs are
 * held out is fixed by {@link #SPLIT_SEED}, independently of the run's seed. A suite that holds
 * none out ({@code arith}) trains on every pair and its validation and test sets are that same
 * training set, labelled {@code train}.
 */
public final class ArithmeticSuite implements Suite {
  /** Fixes which unordered pairs are held out, independently of the run's seed. */
  public static final long SPLIT_SEED = 0x5EED_0A117L;

  /** Digits, then the two signs of the prompt. */
  static final List<String> ALPHABET = Alphabets.of("0123456789+=");

  private final String name;
  private final int maxOperand;
  private final int width;
  private final boolean reversedAnswer;
  private final int heldOutPerSplit;

  /** The split of each ordered pair {@code a * (maxOperand + 1) + b}. */
  private final Split[] splitOf;

  private final int[] trainingPairs;
  private final Map<Split, SplitTasks> splits = new EnumMap<>(Split.class);

  /**
   * @param heldOutPerSplit how many UNORDERED pairs {@code {a, b}} go to validation, and as many
   *     again to test (each gives one task when {@code a == b}, else two); 0 means training,
   *     validation and test are all the same set of every pair, labelled {@code train}
   */
  public ArithmeticSuite(String name, int maxOperand, int heldOutPerSplit, boolean reversedAnswer) {
    if (maxOperand < 1 || maxOperand > 9999) {
      throw new IllegalArgumentException("maxOperand must be in 1..9999, got " + maxOperand);
    }
    int side = maxOperand + 1;
    int unordered = side * (side + 1) / 2;
    if (heldOutPerSplit < 0 || 2 * heldOutPerSplit >= unordered) {
      throw new IllegalArgumentException(
          "heldOutPerSplit must be in 0.." + ((unordered - 1) / 2) + ", got " + heldOutPerSplit);
    }
    this.name = name;
    this.maxOperand = maxOperand;
    this.width = Integer.toString(maxOperand).length();
    this.reversedAnswer = reversedAnswer;
    this.heldOutPerSplit = heldOutPerSplit;
    Split[] byUnordered = Split.assign(unordered, heldOutPerSplit, heldOutPerSplit, SPLIT_SEED);
    this.splitOf = new Split[side * side];
    Map<Split, List<Task>> tasks = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      tasks.put(s, new ArrayList<>());
    }
    List<Integer> train = new ArrayList<>();
    for (int a = 0; a < side; a++) {
      for (int b = 0; b < side; b++) {
        Split s = byUnordered[unorderedIndex(Math.min(a, b), Math.max(a, b), side)];
        splitOf[a * side + b] = s;
        tasks.get(s).add(task(a, b));
        if (s == Split.TRAIN) {
          train.add(a * side + b);
        }
      }
    }
    this.trainingPairs = train.stream().mapToInt(Integer::intValue).toArray();
    SplitTasks training = new SplitTasks(Split.TRAIN, tasks.get(Split.TRAIN));
    splits.put(Split.TRAIN, training);
    for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
      splits.put(s, heldOutPerSplit == 0 ? training : new SplitTasks(s, tasks.get(s)));
    }
  }

  /** The index of {@code {lo, hi}}, {@code lo <= hi}, among the unordered pairs, row by row. */
  private static int unorderedIndex(int lo, int hi, int side) {
    return lo * side - lo * (lo - 1) / 2 + (hi - lo);
  }

  /** {@code arith}: single-digit operands; every one of the 100 pairs is trained and evaluated. */
  public static ArithmeticSuite singleDigit() {
    return new ArithmeticSuite("arith", 9, 0, false);
  }

  /**
   * {@code arith2}: operands 0..99; 250 of the 5,050 unordered pairs are validation and another 250
   * test (about 500 tasks each), the rest (about 9,000 tasks) training.
   */
  public static ArithmeticSuite twoDigit() {
    return new ArithmeticSuite("arith2", 99, 250, true);
  }

  private String pad(int operand) {
    String s = Integer.toString(operand);
    return "0".repeat(width - s.length()) + s;
  }

  /** The task {@code a + b}, whatever its split. */
  public ArithmeticTask task(int a, int b) {
    if (a < 0 || b < 0 || a > maxOperand || b > maxOperand) {
      throw new UnknownTaskException(name, a + "+" + b);
    }
    return new ArithmeticTask(a, b, pad(a) + "+" + pad(b) + "=");
  }

  /** The split of {@code a + b} (the same as that of {@code b + a}). */
  public Split splitOf(int a, int b) {
    if (a < 0 || b < 0 || a > maxOperand || b > maxOperand) {
      throw new UnknownTaskException(name, a + "+" + b);
    }
    return splitOf[a * (maxOperand + 1) + b];
  }

  /** The answer as the policy should write it, without end-of-sequence. */
  public String answerText(int sum) {
    String digits = Integer.toString(sum);
    return reversedAnswer ? new StringBuilder(digits).reverse().toString() : digits;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> alphabet() {
    return ALPHABET;
  }

  @Override
  public int maxPromptTokens() {
    return 1 + 2 * width + 2;
  }

  @Override
  public int maxCompletionTokens() {
    return Integer.toString(2 * maxOperand).length() + 1;
  }

  @Override
  public TaskGenerator generator(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return () -> {
      int p = trainingPairs[random.nextInt(trainingPairs.length)];
      return task(p / (maxOperand + 1), p % (maxOperand + 1));
    };
  }

  @Override
  public SplitTasks split(Split split) {
    return splits.get(split);
  }

  @Override
  public String splitRule() {
    if (heldOutPerSplit == 0) {
      return "no split: all "
          + splits.get(Split.TRAIN).tasks().size()
          + " pairs are trained on, and validation and test are that training set (a"
          + " training-set score, labelled train)";
    }
    return String.format(
        Locale.ROOT,
        "unordered pairs {a,b} (both a+b and b+a) held out by a fixed seed: %d validation"
            + " pairs (%d tasks), %d test pairs (%d tasks), %d training tasks",
        heldOutPerSplit,
        splits.get(Split.VALIDATION).tasks().size(),
        heldOutPerSplit,
        splits.get(Split.TEST).tasks().size(),
        trainingPairs.length);
  }

  @Override
  public Task lookup(String taskId) {
    int plus = taskId.indexOf('+');
    if (plus <= 0 || plus == taskId.length() - 1) {
      throw new UnknownTaskException(name, taskId);
    }
    try {
      return task(
          Integer.parseInt(taskId.substring(0, plus)),
          Integer.parseInt(taskId.substring(plus + 1)));
    } catch (NumberFormatException e) {
      throw new UnknownTaskException(name, taskId);
    }
  }

  @Override
  public Environment newEnvironment(Task task) {
    return new SingleTurnEnvironment();
  }

  /** The answer's digits as {@link #answerText} writes them. */
  @Override
  public Optional<String> demonstration(Task task) {
    if (!(task instanceof ArithmeticTask t)) {
      return Optional.empty();
    }
    return Optional.of(answerText(t.answer()));
  }

  /** Reads {@code {"a": 3, "b": 4}} or {@code {"id": "3+4"}}. */
  @Override
  public Task taskFromRecord(Map<String, Object> record) {
    try {
      if (record.get("a") instanceof Number a && record.get("b") instanceof Number b) {
        return task(a.intValue(), b.intValue());
      }
      if (record.get("id") instanceof String id) {
        return lookup(id);
      }
    } catch (UnknownTaskException e) {
      throw new MalformedTaskException(e.getMessage());
    }
    throw new MalformedTaskException(
        name + " task records need integer fields \"a\" and \"b\" (or an \"id\" like \"3+4\")");
  }

  @Override
  public CheckPlan plan(Task task, String completion) {
    if (!(task instanceof ArithmeticTask t)) {
      throw new IllegalArgumentException(name + " cannot check a " + task.getClass().getName());
    }
    Integer value = ArithmeticAnswer.parse(completion, reversedAnswer);
    if (value == null) {
      return new CheckPlan.Judged(CheckResult.malformed("not a number: '" + completion + "'"));
    }
    return new CheckPlan.Judged(value == t.answer() ? CheckResult.correct() : CheckResult.wrong());
  }
}
