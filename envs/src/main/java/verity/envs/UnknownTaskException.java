package verity.envs;

/** A task id that the suite does not know (a verifier never scores what it cannot look up). */
public final class UnknownTaskException extends RuntimeException {
  public UnknownTaskException(String suite, String taskId) {
    super("suite '" + suite + "' has no task '" + taskId + "'");
  }
}
