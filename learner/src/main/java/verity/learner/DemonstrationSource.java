package verity.learner;

/**
 * Supplies demonstrations (a prompt and its reference completion) for the supervised warm start.
 * The deployment builds one from the suite's training tasks; the learner knows no suites.
 */
@FunctionalInterface
public interface DemonstrationSource {

  /** {@code n} prompts and their reference completions, end-of-sequence included. */
  Demonstrations next(int n);

  /** A batch of demonstrations, row by row. */
  record Demonstrations(int[][] prompts, int[][] completions) {}

  /** For suites without demonstrations: asking is a configuration error. */
  DemonstrationSource NONE =
      n -> {
        throw new IllegalStateException("this suite has no demonstrations for a warm start");
      };
}
