package verity.learner.optim;

/**
 * How a trainer turns gradients into updates: AdamW's learning-rate schedule and weight decay, and
 * the global gradient-norm bound applied before each update. Sent to learner shards so that every
 * replica updates the same way.
 */
public record Optimization(LearningRateSchedule schedule, double weightDecay, double maxGradNorm) {

  public Optimization {
    if (weightDecay < 0 || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weight decay must be >= 0: " + weightDecay);
    }
    if (!(maxGradNorm > 0)) {
      throw new IllegalArgumentException("max gradient norm must be positive: " + maxGradNorm);
    }
  }

  /** A constant learning rate, no weight decay. */
  public static Optimization constant(double learningRate, double maxGradNorm) {
    return new Optimization(LearningRateSchedule.constant(learningRate), 0, maxGradNorm);
  }
}
