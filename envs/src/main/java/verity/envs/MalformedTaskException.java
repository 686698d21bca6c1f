package verity.envs;

/** A task record (a JSONL line, a verify input) that a suite cannot read; the message says why. */
public final class MalformedTaskException extends RuntimeException {
  public MalformedTaskException(String message) {
    super(message);
  }
}
