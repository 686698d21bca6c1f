package verity.actors.protocol;

/** A verifier's judgement of one trajectory: the reward and why. */
public record Verdict(double reward, Reason reason) {

  /** Why a trajectory got its reward. */
  public enum Reason {
    CORRECT,
    WRONG,
    TIMEOUT,
    CRASHED,
    MALFORMED;

    /** The lower-case name used in summaries, metrics and the console. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
