package verity.envs.python;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import verity.envs.MalformedTaskException;

/**
 * Reads and validates a python-code task record {@code {"id", "prompt", "tests", "solution"?}},
 * failing with a message that names the record and the field that is wrong.
 */
final class PythonTaskReader {
  /** More asserts than any task needs; bounds the harness's work per verdict. */
  static final int MAX_TESTS = 50;

  /** Longest assert accepted, in characters. */
  static final int MAX_TEST_CHARS = 1000;

  /** Longest task id accepted, in characters. */
  static final int MAX_ID_CHARS = 100;

  private final Set<String> alphabet;
  private final int maxPromptTokens;
  private final int maxCompletionTokens;

  PythonTaskReader(List<String> alphabet, int maxPromptTokens, int maxCompletionTokens) {
    this.alphabet = Set.copyOf(alphabet);
    this.maxPromptTokens = maxPromptTokens;
    this.maxCompletionTokens = maxCompletionTokens;
  }

  /**
   * @param where names the record in errors, e.g. {@code tasks.jsonl:12}
   * @throws MalformedTaskException naming {@code where}, the field and what is wrong
   */
  PythonTask read(Map<String, Object> record, String where) {
    String id = string(record, "id", where);
    if (id.isEmpty()
        || id.length() > MAX_ID_CHARS
        || !id.chars().allMatch(c -> c > 32 && c < 127)) {
      throw bad(where, "id", "must be 1.." + MAX_ID_CHARS + " printable characters without spaces");
    }
    String at = where + " (task " + id + ")";
    String text = string(record, "prompt", at);
    if (text.isBlank()) {
      throw bad(at, "prompt", "must not be blank");
    }
    checkAlphabet(text, at, "prompt");
    if (text.length() + 1 > maxPromptTokens) {
      throw bad(
          at,
          "prompt",
          "is " + text.length() + " characters; at most " + (maxPromptTokens - 1) + " fit");
    }
    List<String> tests = tests(record.get("tests"), at);
    String solution = "";
    if (record.containsKey("solution")) {
      solution = string(record, "solution", at);
      checkAlphabet(solution, at, "solution");
      if (solution.length() + 1 > maxCompletionTokens) {
        throw bad(
            at,
            "solution",
            "is "
                + solution.length()
                + " characters; at most "
                + (maxCompletionTokens - 1)
                + " fit");
      }
    }
    return new PythonTask(id, text, tests, solution);
  }

  private static List<String> tests(Object value, String at) {
    if (!(value instanceof List<?> list)) {
      throw bad(at, "tests", "must be a list of assert statements" + missing(value));
    }
    if (list.isEmpty() || list.size() > MAX_TESTS) {
      throw bad(at, "tests", "must hold 1.." + MAX_TESTS + " asserts, has " + list.size());
    }
    List<String> tests = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String field = "tests[" + i + "]";
      if (!(list.get(i) instanceof String test)) {
        throw bad(at, field, "must be a string");
      }
      if (!test.startsWith("assert ")) {
        throw bad(at, field, "must be an assert statement (start with \"assert \")");
      }
      if (test.length() > MAX_TEST_CHARS || test.chars().anyMatch(c -> c == '\n' || c == '\r')) {
        throw bad(at, field, "must be one line of at most " + MAX_TEST_CHARS + " characters");
      }
      tests.add(test);
    }
    return tests;
  }

  /** Every character of the text must be one of the alphabet's, or a character tokenizer fails. */
  private void checkAlphabet(String text, String at, String field) {
    for (int i = 0; i < text.length(); i++) {
      if (!alphabet.contains(String.valueOf(text.charAt(i)))) {
        throw bad(
            at,
            field,
            "has character U+"
                + String.format("%04X", (int) text.charAt(i))
                + " at "
                + i
                + ", outside the alphabet (printable ASCII, newline, tab)");
      }
    }
  }

  private static String string(Map<String, Object> record, String field, String at) {
    Object value = record.get(field);
    if (!(value instanceof String s)) {
      throw bad(at, field, "must be a string" + missing(value));
    }
    return s;
  }

  private static String missing(Object value) {
    return value == null ? " (missing)" : "";
  }

  private static MalformedTaskException bad(String at, String field, String what) {
    return new MalformedTaskException(at + ": field \"" + field + "\" " + what);
  }
}
