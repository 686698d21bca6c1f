package verity.actors.protocol;

/**
 * What one learner step measured. A step makes one or more optimizer updates on its batch (PPO
 * epochs times minibatches); the loss, KL, entropy and clip fractions are means over the tokens of
 * every update, each measured in its forward pass before its update. A figure the step's objective
 * does not have is NaN: PPO has no proximal ratio, decoupled PPO clips no behaviour ratio, and
 * without a KL penalty there is no reference policy.
 *
 * @param batchReward mean reward of the trajectories trained on
 * @param solvedFraction share of those trajectories with a positive reward (solved episodes)
 * @param loss the loss per token (policy term minus the entropy bonus plus the KL penalty)
 * @param approxKl mean of (r - 1) - log r over tokens, r the ratio of current to behaviour policy
 * @param entropy mean token entropy of the current policy on the batch
 * @param gradNorm global L2 norm of the gradient before clipping, mean over the step's updates
 * @param behaviourClipFraction PPO: share of tokens whose ratio of current to behaviour policy lies
 *     outside the clip range (the ratio PPO clips); NaN for decoupled PPO
 * @param proximalClipFraction decoupled PPO: share of tokens whose ratio of current to proximal
 *     policy lies outside the clip range (the ratio decoupled PPO clips); NaN for PPO
 * @param truncatedFraction decoupled PPO with truncation: share of tokens whose behaviour
 *     importance weight was truncated to the cap; NaN otherwise
 * @param droppedFraction decoupled PPO with AReaL's filter: share of tokens dropped from the loss
 *     because their behaviour importance weight exceeded the cap; NaN otherwise
 * @param referenceKl mean k3 estimate of the KL to the frozen reference policy; NaN without a KL
 *     penalty
 * @param updates optimizer updates the step made
 * @param meanStaleness mean versions behind of the trajectories trained on
 * @param maxStaleness largest versions behind in the batch
 * @param stalenessHistogram trajectories by versions behind; the last bucket holds all older ones
 * @param trajectories trajectories in the batch
 * @param tokens policy tokens in the batch
 * @param downweighted trajectories in the batch whose weight was reduced for staleness
 * @param stepMillis wall time of the step, gradients and updates
 */
public record StepMetrics(
    double batchReward,
    double solvedFraction,
    double loss,
    double approxKl,
    double entropy,
    double gradNorm,
    double behaviourClipFraction,
    double proximalClipFraction,
    double truncatedFraction,
    double droppedFraction,
    double referenceKl,
    int updates,
    double meanStaleness,
    long maxStaleness,
    long[] stalenessHistogram,
    int trajectories,
    long tokens,
    int downweighted,
    double stepMillis) {}
