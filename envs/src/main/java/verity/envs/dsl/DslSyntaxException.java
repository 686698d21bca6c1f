package verity.envs.dsl;

/** A text that is no program of the stack language; the message says where and why. */
public final class DslSyntaxException extends Exception {
  private static final long serialVersionUID = 1L;

  DslSyntaxException(String message) {
    super(message);
  }
}
