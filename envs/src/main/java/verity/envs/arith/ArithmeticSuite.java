package verity.envs.arith;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import verity.envs.CheckPlan;
import verity.envs.CheckResult;
import verity.envs.Environment;
import verity.envs.MalformedTaskException;
import verity.envs.SingleTurnEnvironment;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.envs.UnknownTaskException;
import verity.envs.Vocabulary;

/**
 * Addition of two non-negative integers up to {@code maxOperand}. The prompt is {@code a+b=} with
 * each operand zero-padded to the width of {@code maxOperand}; the answer is the sum's digits,
 * least significant first when {@code reversedAnswer} (the order in which carries are computed),
 * then end-of-sequence. A held-out set of pairs, fixed by {@link #HELD_OUT_SEED}, is never drawn
 * for training and is what pass@1 is measured on.
 */
public final class ArithmeticSuite implements Suite {
  /** Fixes which pairs are held out, independently of the run's seed. */
  public static final long HELD_OUT_SEED = 0x5EED_0A117L;

  static final Vocabulary VOCABULARY =
      new Vocabulary(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "="));

  private final String name;
  private final int maxOperand;
  private final int width;
  private final boolean reversedAnswer;
  private final BitSet heldOut;
  private final int[] trainingPairs;
  private final List<Task> evaluation;

  /**
   * @param heldOutPairs how many of the {@code (maxOperand + 1)^2} pairs are held out of training;
   *     0 means training and evaluation both cover every pair
   */
  public ArithmeticSuite(String name, int maxOperand, int heldOutPairs, boolean reversedAnswer) {
    if (maxOperand < 1 || maxOperand > 9999) {
      throw new IllegalArgumentException("maxOperand must be in 1..9999, got " + maxOperand);
    }
    int pairs = (maxOperand + 1) * (maxOperand + 1);
    if (heldOutPairs < 0 || heldOutPairs >= pairs) {
      throw new IllegalArgumentException("heldOutPairs must be in 0.." + (pairs - 1));
    }
    this.name = name;
    this.maxOperand = maxOperand;
    this.width = Integer.toString(maxOperand).length();
    this.reversedAnswer = reversedAnswer;
    this.heldOut = TaskGenerator.heldOut(pairs, heldOutPairs, HELD_OUT_SEED);
    this.trainingPairs = new int[pairs - heldOutPairs];
    List<Task> eval = new ArrayList<>();
    for (int p = 0, t = 0; p < pairs; p++) {
      if (heldOut.get(p)) {
        eval.add(task(p / (maxOperand + 1), p % (maxOperand + 1)));
      } else {
        trainingPairs[t++] = p;
      }
    }
    if (heldOutPairs == 0) {
      for (int p : trainingPairs) {
        eval.add(task(p / (maxOperand + 1), p % (maxOperand + 1)));
      }
    }
    this.evaluation = List.copyOf(eval);
  }

  /** {@code arith}: single-digit operands; every one of the 100 pairs is trained and evaluated. */
  public static ArithmeticSuite singleDigit() {
    return new ArithmeticSuite("arith", 9, 0, false);
  }

  /** {@code arith2}: operands 0..99; 1,000 of the 10,000 pairs are held out of training. */
  public static ArithmeticSuite twoDigit() {
    return new ArithmeticSuite("arith2", 99, 1000, true);
  }

  private String pad(int operand) {
    String s = Integer.toString(operand);
    return "0".repeat(width - s.length()) + s;
  }

  /** The task {@code a + b}, whether held out or not. */
  public ArithmeticTask task(int a, int b) {
    if (a < 0 || b < 0 || a > maxOperand || b > maxOperand) {
      throw new UnknownTaskException(name, a + "+" + b);
    }
    return new ArithmeticTask(a, b, VOCABULARY.encode(pad(a) + "+" + pad(b) + "="));
  }

  /** True when the pair is held out of training. */
  public boolean isHeldOut(int a, int b) {
    return heldOut.get(a * (maxOperand + 1) + b);
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
  public Vocabulary vocabulary() {
    return VOCABULARY;
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
  public List<Task> evaluationSet() {
    return evaluation;
  }

  @Override
  public String evaluationSetName() {
    return heldOut.isEmpty() ? "all" : "held-out";
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

  @Override
  public Optional<int[]> demonstration(Task task) {
    if (!(task instanceof ArithmeticTask t)) {
      return Optional.empty();
    }
    int[] digits = VOCABULARY.encode(answerText(t.answer()));
    int[] out = Arrays.copyOf(digits, digits.length + 1);
    out[digits.length] = Vocabulary.EOS;
    return Optional.of(out);
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
