package verity.learner.optim;

/**
 * The learning rate of each optimizer step: constant, or a linear warm-up from zero followed by a
 * constant rate or a cosine decay to {@code minRatio} of the peak at {@code totalSteps} (held there
 * afterwards). Steps count from 1, as the optimizer's do.
 *
 * @param kind the shape after the warm-up
 * @param peak the rate after the warm-up
 * @param warmupSteps steps of the linear warm-up; 0 for none
 * @param totalSteps the step the cosine reaches its floor (cosine only)
 * @param minRatio the cosine's floor as a fraction of the peak
 */
public record LearningRateSchedule(
    Kind kind, double peak, long warmupSteps, long totalSteps, double minRatio) {

  /** The shape of the schedule after its warm-up. */
  public enum Kind {
    CONSTANT,
    COSINE
  }

  public LearningRateSchedule {
    if (!(peak > 0) || !Double.isFinite(peak)) {
      throw new IllegalArgumentException("learning rate must be positive: " + peak);
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warm-up steps must be >= 0: " + warmupSteps);
    }
    if (minRatio < 0 || minRatio > 1) {
      throw new IllegalArgumentException("min-ratio must be in [0, 1]: " + minRatio);
    }
    if (kind == Kind.COSINE && totalSteps <= warmupSteps) {
      throw new IllegalArgumentException(
          "a cosine schedule needs total-steps ("
              + totalSteps
              + ") greater than its warm-up ("
              + warmupSteps
              + ")");
    }
  }

  /** A constant rate from the first step. */
  public static LearningRateSchedule constant(double rate) {
    return new LearningRateSchedule(Kind.CONSTANT, rate, 0, 0, 0);
  }

  /** The rate of optimizer step {@code step} (1 for the first). */
  public double at(long step) {
    long s = Math.max(1, step);
    if (s <= warmupSteps) {
      return peak * s / (warmupSteps + 1);
    }
    if (kind == Kind.CONSTANT) {
      return peak;
    }
    double progress = Math.min(1.0, (double) (s - warmupSteps) / (totalSteps - warmupSteps));
    double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
    return peak * (minRatio + (1 - minRatio) * cosine);
  }
}
