package verity.envs;

/**
 * One problem of a suite: an id that identifies it within the suite, and its prompt as text. The
 * text is the same whatever policy answers it; the policy's tokenizer turns it into tokens.
 */
public interface Task {
  String id();

  /** The prompt, as text written in the suite's {@link Suite#alphabet()}. */
  String prompt();
}
