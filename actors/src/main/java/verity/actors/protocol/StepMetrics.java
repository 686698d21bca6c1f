package verity.actors.protocol;

/**
 * What one learner step measured.
 *
 * @param batchReward mean reward of the trajectories trained on
 * @param solvedFraction share of those trajectories with a positive reward (solved episodes)
 * @param loss the surrogate loss per token (policy term minus the entropy bonus)
 * @param approxKl mean of (r - 1) - log r over tokens, r the ratio of current to behaviour policy
 * @param entropy mean token entropy of the current policy on the batch
 * @param gradNorm global L2 norm of the gradient before clipping
 * @param clipFraction share of tokens whose behaviour ratio lies outside the clip range
 * @param truncatedFraction share of tokens whose importance weight was truncated
 * @param meanStaleness mean versions behind of the trajectories trained on
 * @param maxStaleness largest versions behind in the batch
 * @param stalenessHistogram trajectories by versions behind; the last bucket holds all older ones
 * @param trajectories trajectories in the batch
 * @param tokens policy tokens trained on
 * @param downweighted trajectories in the batch whose weight was reduced for staleness
 * @param stepMillis wall time of the step, gradients and update
 */
public record StepMetrics(
    double batchReward,
    double solvedFraction,
    double loss,
    double approxKl,
    double entropy,
    double gradNorm,
    double clipFraction,
    double truncatedFraction,
    double meanStaleness,
    long maxStaleness,
    long[] stalenessHistogram,
    int trajectories,
    long tokens,
    int downweighted,
    double stepMillis) {}
