package verity.envs.math;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import verity.envs.Alphabets;
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
import verity.envs.jsonl.JsonlRecords;

/**
 * Word problems and arithmetic with numeric answers, read from JSONL records {@code {"id",
 * "prompt", "answer"}} and optionally {@code "template"}, written in printable ASCII and newline.
 *
 * <p>Splits hold out WHOLE TEMPLATES, so that no validation or test problem is a training problem
 * with other numbers. A record's template is its {@code template} field; a record without one gets
 * a key derived from its prompt ({@link #derivedTemplate}: normalised, numbers replaced by {@code
 * #}). Problems are first deduplicated by normalised prompt ({@link #normalise}: trimmed, runs of
 * whitespace as one space, lower case); the first in file order stays, later repeats are kept for
 * {@link #lookup} but belong to no split. The sorted templates are then shuffled with {@link
 * #SPLIT_SEED}: one in {@value #HELD_OUT_ONE_IN} (at least one) goes to validation, as many to
 * test, the rest to training. A file with fewer than three templates is not split: it trains on
 * everything, and validation and test are its training set, labelled {@code train}.
 */
public final class MathSuite implements Suite {
  public static final String NAME = "math";

  /** The class-path resource of the shipped problems (see {@code MathDataGenerator} in tests). */
  public static final String SHIPPED = "verity/suites/math/problems.jsonl";

  /** Longest question: every shipped one fits, with room for files of similar problems. */
  public static final int MAX_QUESTION_CHARS = 255;

  /** Longest reference answer; the demonstration {@code #### ANSWER} then fits a completion. */
  public static final int MAX_ANSWER_CHARS = 40;

  /** Fixes which templates are held out, independently of the run's seed and of the file order. */
  public static final long SPLIT_SEED = 0x4A7_5E1EL;

  private static final String DEMONSTRATION_PREFIX = "#### ";

  /** One template in this many goes to validation, and as many to test. */
  private static final int HELD_OUT_ONE_IN = 8;

  /** A number as the prompts write it: a sign, digits with thousands commas, a decimal part. */
  private static final Pattern NUMBER = Pattern.compile("-?\\d[\\d,]*(\\.\\d+)?");

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  /** Printable ASCII, then newline. */
  private static final String CHARACTERS = Alphabets.PRINTABLE_ASCII + "\n";

  static final List<String> ALPHABET = Alphabets.of(CHARACTERS);

  private final Map<String, MathTask> byId;
  private final Map<String, String> templateOf;
  private final Map<Split, SplitTasks> splits = new EnumMap<>(Split.class);
  private final List<MathTask> training;
  private final int templates;
  private final int duplicates;

  private MathSuite(List<JsonlRecords.Line> lines, String source) {
    Map<String, MathTask> tasks = new LinkedHashMap<>();
    Map<String, String> templateById = new HashMap<>();
    Map<String, Integer> firstLine = new HashMap<>();
    Set<String> prompts = new HashSet<>();
    List<MathTask> unique = new ArrayList<>();
    for (JsonlRecords.Line line : lines) {
      String where = source + ":" + line.number();
      MathTask task;
      String template;
      try {
        task = fromFields(line.record());
        template = templateField(line.record(), task.prompt());
      } catch (MalformedTaskException e) {
        throw new MalformedTaskException(where + ": " + e.getMessage());
      }
      Integer first = firstLine.putIfAbsent(task.id(), line.number());
      if (first != null) {
        throw new MalformedTaskException(
            where + ": duplicate id '" + task.id() + "' (first on line " + first + ")");
      }
      tasks.put(task.id(), task);
      templateById.put(task.id(), template);
      if (prompts.add(normalise(task.prompt()))) {
        unique.add(task);
      }
    }
    if (tasks.isEmpty()) {
      throw new MalformedTaskException(source + ": no tasks");
    }
    this.byId = Map.copyOf(tasks);
    this.templateOf = Map.copyOf(templateById);
    this.duplicates = tasks.size() - unique.size();
    List<String> sorted =
        unique.stream().map(t -> templateById.get(t.id())).distinct().sorted().toList();
    this.templates = sorted.size();
    // Too few templates to hold whole ones out: train on everything, and say so in the label.
    int heldOut = templates < 3 ? 0 : Math.max(1, templates / HELD_OUT_ONE_IN);
    Split[] assigned = Split.assign(templates, heldOut, heldOut, SPLIT_SEED);
    Map<String, Split> splitOfTemplate = new HashMap<>();
    for (int i = 0; i < templates; i++) {
      splitOfTemplate.put(sorted.get(i), assigned[i]);
    }
    Map<Split, List<Task>> bySplit = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      bySplit.put(s, new ArrayList<>());
    }
    for (MathTask t : unique) {
      bySplit.get(splitOfTemplate.get(templateById.get(t.id()))).add(t);
    }
    SplitTasks train = new SplitTasks(Split.TRAIN, bySplit.get(Split.TRAIN));
    splits.put(Split.TRAIN, train);
    for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
      splits.put(s, heldOut == 0 ? train : new SplitTasks(s, bySplit.get(s)));
    }
    this.training = train.tasks().stream().map(MathTask.class::cast).toList();
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

  /**
   * The prompt as deduplication compares it: trimmed, each run of whitespace one space, lower case.
   */
  public static String normalise(String prompt) {
    return WHITESPACE.matcher(prompt.trim()).replaceAll(" ").toLowerCase(Locale.ROOT);
  }

  /**
   * The template key of a record without a {@code template} field: its {@link #normalise
   * normalised} prompt with every number ({@code -12}, {@code 1,250}, {@code 3.67}) replaced by
   * {@code #}. Problems that differ in words (names, items) as well as numbers get different keys;
   * a file of such problems should name its templates.
   */
  public static String derivedTemplate(String prompt) {
    return NUMBER.matcher(normalise(prompt)).replaceAll("#");
  }

  private static String templateField(Map<String, Object> record, String prompt) {
    Object v = record.get("template");
    if (v == null) {
      return derivedTemplate(prompt);
    }
    if (v instanceof String s && !s.isBlank()) {
      return s;
    }
    throw new MalformedTaskException("field \"template\" must be a non-blank string");
  }

  /** The template of a task of this suite's file (its field, or the derived key). */
  public String templateOf(String taskId) {
    String t = templateOf.get(taskId);
    if (t == null) {
      throw new UnknownTaskException(NAME, taskId);
    }
    return t;
  }

  /** Records left out of every split because their normalised prompt repeats an earlier one. */
  public int duplicates() {
    return duplicates;
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
  public SplitTasks split(Split split) {
    return splits.get(split);
  }

  @Override
  public String splitRule() {
    SplitTasks validation = splits.get(Split.VALIDATION);
    if (!validation.heldOut()) {
      return String.format(
          Locale.ROOT,
          "no split (%d templates, too few to hold whole ones out): all %d problems are trained"
              + " on, and validation and test are that training set, labelled train",
          templates,
          training.size());
    }
    return String.format(
        Locale.ROOT,
        "whole templates held out by a fixed seed, after deduplication by normalised prompt (%d"
            + " repeats dropped): %d of %d templates validation (%d problems), as many test (%d"
            + " problems), training %d problems",
        duplicates,
        Math.max(1, templates / HELD_OUT_ONE_IN),
        templates,
        validation.tasks().size(),
        splits.get(Split.TEST).tasks().size(),
        training.size());
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

  /** {@code #### ANSWER}. */
  @Override
  public Optional<String> demonstration(Task task) {
    if (!(task instanceof MathTask t)) {
      return Optional.empty();
    }
    return Optional.of(DEMONSTRATION_PREFIX + t.answer());
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
    checkAlphabet("prompt", question);
    String answer = answer(record.get("answer"));
    if (answer.length() > MAX_ANSWER_CHARS) {
      throw new MalformedTaskException(
          "field \"answer\" is longer than " + MAX_ANSWER_CHARS + " characters");
    }
    checkAlphabet("answer", answer);
    try {
      return new MathTask(id, question, answer);
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

  private static void checkAlphabet(String field, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (CHARACTERS.indexOf(c) < 0) {
        throw new MalformedTaskException(
            String.format(
                Locale.ROOT,
                "field \"%s\" has character U+%04X at position %d, outside the math alphabet"
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
