package verity.envs.math;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import verity.envs.CheckPlan;
import verity.envs.Environment;
import verity.envs.MalformedTaskException;
import verity.envs.SingleTurnEnvironment;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.envs.UnknownTaskException;
import verity.envs.Vocabulary;
import verity.envs.jsonl.JsonlRecords;

/**
 * Word problems and arithmetic with numeric answers, read from JSONL records {@code {"id",
 * "prompt", "answer"}}, one character per token. About one task in five, chosen by a hash of its
 * id, is held out of training and is the evaluation set, so the split does not depend on the order
 * of the file.
 */
public final class MathSuite implements Suite {
  public static final String NAME = "math";

  /** The class-path resource of the shipped problems (see {@code MathDataGenerator} in tests). */
  public static final String SHIPPED = "verity/suites/math/problems.jsonl";

  /** Longest question: every shipped one fits, with room for files of similar problems. */
  public static final int MAX_QUESTION_CHARS = 255;

  /** Longest reference answer; the demonstration {@code #### ANSWER} then fits a completion. */
  public static final int MAX_ANSWER_CHARS = 40;

  private static final String DEMONSTRATION_PREFIX = "#### ";

  /** One task in this many is held out. */
  private static final int HELD_OUT_ONE_IN = 5;

  /** Mixed into the id hash so that the split is not the same as any other hash of the ids. */
  private static final String SPLIT_SALT = "verity-math-split:";

  static final Vocabulary VOCABULARY = printableAscii();

  private final Map<String, MathTask> byId;
  private final List<MathTask> training;
  private final List<Task> evaluation;
  private final String evaluationSetName;

  private MathSuite(List<JsonlRecords.Line> lines, String source) {
    Map<String, MathTask> tasks = new LinkedHashMap<>();
    Map<String, Integer> firstLine = new HashMap<>();
    for (JsonlRecords.Line line : lines) {
      String where = source + ":" + line.number();
      MathTask task;
      try {
        task = fromFields(line.record());
      } catch (MalformedTaskException e) {
        throw new MalformedTaskException(where + ": " + e.getMessage());
      }
      Integer first = firstLine.putIfAbsent(task.id(), line.number());
      if (first != null) {
        throw new MalformedTaskException(
            where + ": duplicate id '" + task.id() + "' (first on line " + first + ")");
      }
      tasks.put(task.id(), task);
    }
    if (tasks.isEmpty()) {
      throw new MalformedTaskException(source + ": no tasks");
    }
    List<MathTask> train = new ArrayList<>();
    List<Task> heldOut = new ArrayList<>();
    for (MathTask t : tasks.values()) {
      if (isHeldOut(t.id())) {
        heldOut.add(t);
      } else {
        train.add(t);
      }
    }
    // A file too small to split trains and evaluates on everything rather than on nothing.
    boolean split = !train.isEmpty() && !heldOut.isEmpty();
    this.byId = Map.copyOf(tasks);
    this.training = List.copyOf(split ? train : tasks.values());
    this.evaluation = List.copyOf(split ? heldOut : tasks.values());
    this.evaluationSetName = split ? "held-out" : "all";
  }

  /** The problems shipped with Verity. */
  public static MathSuite shipped() {
    return new MathSuite(JsonlRecords.readResource(SHIPPED), SHIPPED);
  }

  /**
   * The problems of a user's file.
   *
   * @throws MalformedTaskException naming the line and what is wrong with it
   */
  public static MathSuite load(Path file) throws IOException {
    return new MathSuite(JsonlRecords.read(file), file.toString());
  }

  /** True when the task with this id is held out of training (stable across files and runs). */
  public static boolean isHeldOut(String id) {
    CRC32 crc = new CRC32();
    crc.update((SPLIT_SALT + id).getBytes(StandardCharsets.UTF_8));
    return crc.getValue() % HELD_OUT_ONE_IN == 0;
  }

  private static Vocabulary printableAscii() {
    List<String> symbols = new ArrayList<>();
    for (char c = ' '; c <= '~'; c++) {
      symbols.add(String.valueOf(c));
    }
    symbols.add("\n");
    return new Vocabulary(symbols);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Vocabulary vocabulary() {
    return VOCABULARY;
  }

  @Override
  public int maxPromptTokens() {
    return 1 + MAX_QUESTION_CHARS;
  }

  @Override
  public int maxCompletionTokens() {
    return DEMONSTRATION_PREFIX.length() + MAX_ANSWER_CHARS + 1;
  }

  @Override
  public TaskGenerator generator(long seed) {
    return TaskGenerator.uniform(training, seed);
  }

  @Override
  public List<Task> evaluationSet() {
    return evaluation;
  }

  @Override
  public String evaluationSetName() {
    return evaluationSetName;
  }

  @Override
  public Task lookup(String taskId) {
    MathTask t = byId.get(taskId);
    if (t == null) {
      throw new UnknownTaskException(NAME, taskId);
    }
    return t;
  }

  @Override
  public Environment newEnvironment(Task task) {
    return new SingleTurnEnvironment();
  }

  /** {@code #### ANSWER} then end-of-sequence. */
  @Override
  public Optional<int[]> demonstration(Task task) {
    if (!(task instanceof MathTask t)) {
      return Optional.empty();
    }
    int[] text = VOCABULARY.encode(DEMONSTRATION_PREFIX + t.answer());
    int[] out = Arrays.copyOf(text, text.length + 1);
    out[text.length] = Vocabulary.EOS;
    return Optional.of(out);
  }

  /**
   * Reads {@code {"id", "prompt", "answer"}} (the answer a string or a JSON number; other fields
   * are ignored), or {@code {"id"}} alone for a task of this suite's file.
   */
  @Override
  public Task taskFromRecord(Map<String, Object> record) {
    if (record.get("id") instanceof String id
        && !record.containsKey("prompt")
        && !record.containsKey("answer")) {
      try {
        return lookup(id);
      } catch (UnknownTaskException e) {
        throw new MalformedTaskException(e.getMessage());
      }
    }
    return fromFields(record);
  }

  private static MathTask fromFields(Map<String, Object> record) {
    String id = string(record, "id");
    if (id.isBlank()) {
      throw new MalformedTaskException("field \"id\" is blank");
    }
    String question = string(record, "prompt");
    if (question.isEmpty() || question.length() > MAX_QUESTION_CHARS) {
      throw new MalformedTaskException(
          "field \"prompt\" must have 1 to "
              + MAX_QUESTION_CHARS
              + " characters, has "
              + question.length());
    }
    checkVocabulary("prompt", question);
    String answer = answer(record.get("answer"));
    if (answer.length() > MAX_ANSWER_CHARS) {
      throw new MalformedTaskException(
          "field \"answer\" is longer than " + MAX_ANSWER_CHARS + " characters");
    }
    checkVocabulary("answer", answer);
    try {
      return new MathTask(id, question, answer, VOCABULARY.encode(question));
    } catch (NumberFormatException e) {
      throw new MalformedTaskException(
          "field \"answer\" is not a number: '" + answer + "' (" + e.getMessage() + ")");
    }
  }

  private static String string(Map<String, Object> record, String field) {
    Object v = record.get(field);
    if (v instanceof String s) {
      return s;
    }
    throw new MalformedTaskException(
        "field \"" + field + "\" must be a string" + (v == null ? " (missing)" : ""));
  }

  /** A JSON number is taken at its shortest decimal spelling ({@code 0.1}, not a binary value). */
  private static String answer(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
      return v.toString();
    }
    if (v instanceof Double d) {
      return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    throw new MalformedTaskException(
        "field \"answer\" must be a string or a number" + (v == null ? " (missing)" : ""));
  }

  private static void checkVocabulary(String field, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (VOCABULARY.id(String.valueOf(c)) < 0) {
        throw new MalformedTaskException(
            String.format(
                Locale.ROOT,
                "field \"%s\" has character U+%04X at position %d, outside the math vocabulary"
                    + " (printable ASCII and newline)",
                field,
                (int) c,
                i + 1));
      }
    }
  }

  @Override
  public CheckPlan plan(Task task, String completion) {
    if (!(task instanceof MathTask t)) {
      throw new IllegalArgumentException(NAME + " cannot check a " + task.getClass().getName());
    }
    return new CheckPlan.Judged(MathVerifier.check(MathAnswer.parse(t.answer()), completion));
  }
}
