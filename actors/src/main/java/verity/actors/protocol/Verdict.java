package verity.actors.protocol;

/** A verifier's judgement of one trajectory: the reward, why, and how long the check took. */
public record Verdict(double reward, Reason reason, double millis) {

  public Verdict(double reward, Reason reason) {
    this(reward, reason, 0);
  }

  /** Why a trajectory got its reward. */
  public enum Reason {
    CORRECT,
    WRONG,
    TIMEOUT,
    CRASHED,
    MALFORMED,
    VIOLATION;

    /** The lower-case name used in summaries, metrics and the console. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
