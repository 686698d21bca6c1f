package verity.learner.grpo;

/** The loss came out NaN or infinite; the step was not applied. */
public final class NonFiniteLossException extends RuntimeException {
  public NonFiniteLossException(float loss, int samples) {
    super("loss is " + loss + " on a batch of " + samples + " trajectories; step skipped");
  }
}
