package verity.envs.dsl;

import verity.envs.Outcome;

/** What running a program on one input came to: its output, or why it has none. */
public sealed interface DslRun {

  /** The program ended; {@code value} was on top of the stack. */
  record Finished(long value) implements DslRun {}

  /**
   * The program was stopped: {@link Outcome#CRASHED} for a runtime error, {@link Outcome#TIMEOUT}
   * past the step limit, {@link Outcome#VIOLATION} past the stack limit.
   */
  record Failed(Outcome outcome, String reason) implements DslRun {}
}
