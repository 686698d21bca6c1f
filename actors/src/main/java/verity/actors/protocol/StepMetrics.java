package verity.actors.protocol;

/**
 * What one learner step measured.
 *
 * @param batchReward mean reward of the trajectories trained on
 * @param loss the surrogate loss (policy term minus the entropy bonus)
 * @param approxKl mean of (r - 1) - log r over tokens, r the importance ratio against the behaviour
 * @param entropy mean token entropy of the current policy on the batch
 * @param gradNorm global L2 norm of the gradient before the optimizer step
 * @param clipFraction share of tokens whose ratio was clipped
 * @param meanStaleness mean versions behind of the trajectories trained on
 * @param maxStaleness largest versions behind in the batch
 * @param trajectories trajectories in the batch
 * @param tokens completion tokens in the batch
 * @param downweighted trajectories in the batch whose weight was reduced for staleness
 * @param stepMillis wall time of the gradient step
 */
public record StepMetrics(
    double batchReward,
    double loss,
    double approxKl,
    double entropy,
    double gradNorm,
    double clipFraction,
    double meanStaleness,
    long maxStaleness,
    int trajectories,
    long tokens,
    int downweighted,
    double stepMillis) {}
