package verity.envs;

import java.util.Locale;

/** Why a completion earned its reward. */
public enum Outcome {
  /** The answer is right. */
  CORRECT,
  /** A well-formed answer that is wrong (or a program that fails a test). */
  WRONG,
  /** The verification ran past its deadline. */
  TIMEOUT,
  /** The checked program crashed, or the check itself failed on this input. */
  CRASHED,
  /** The completion (or the input record) is not something the check can read. */
  MALFORMED,
  /** The checked program tried something the sandbox forbids. */
  VIOLATION;

  /** The lower-case name used in files, metrics and the console. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
