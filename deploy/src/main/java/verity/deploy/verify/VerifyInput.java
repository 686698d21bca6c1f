package verity.deploy.verify;

import java.util.Map;
import verity.envs.MalformedTaskException;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.jsonl.JsonlRecords;

/**
 * Reads one line of a {@code verify} input, {@code {"task": {...}, "completion": "..."}}, into a
 * check to run, or says why it cannot be checked.
 */
final class VerifyInput {
  private static final String WHERE = "input";

  private VerifyInput() {}

  /** One non-blank input line, read. */
  sealed interface Line {
    /** The physical line number, from 1. */
    int number();
  }

  /** A task and a completion to check. */
  record Check(int number, Task task, String completion) implements Line {}

  /**
   * A line that cannot be checked; {@code taskId} is null unless the task was read.
   *
   * @param reason what is wrong with the line
   */
  record Rejected(int number, String taskId, String reason) implements Line {}

  static Line read(int number, String text, Suite suite) {
    Map<String, Object> record;
    try {
      record = JsonlRecords.parse(text, WHERE);
    } catch (MalformedTaskException e) {
      // The output record carries the line number; the reason need not repeat where it was.
      return new Rejected(number, null, e.getMessage().substring(WHERE.length() + 2));
    }
    Object taskRecord = record.get("task");
    if (!(taskRecord instanceof Map<?, ?> fields)) {
      return new Rejected(
          number,
          null,
          "field \"task\" must be a JSON object" + (taskRecord == null ? " (missing)" : ""));
    }
    Task task;
    try {
      @SuppressWarnings("unchecked") // Jackson reads a JSON object into a map with string keys.
      Map<String, Object> taskFields = (Map<String, Object>) fields;
      task = suite.taskFromRecord(taskFields);
    } catch (MalformedTaskException e) {
      return new Rejected(number, null, "task: " + e.getMessage());
    } catch (RuntimeException e) {
      // A suite should say MalformedTaskException; any other refusal is still the line's fault.
      return new Rejected(number, null, "task: " + e);
    }
    Object completion = record.get("completion");
    if (!(completion instanceof String completionText)) {
      return new Rejected(
          number,
          task.id(),
          "field \"completion\" must be a string" + (completion == null ? " (missing)" : ""));
    }
    return new Check(number, task, completionText);
  }
}
