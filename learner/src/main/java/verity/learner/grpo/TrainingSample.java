package verity.learner.grpo;

/**
 * One trajectory as the loss sees it.
 *
 * @param behaviourLogProbs log-probs of the completion tokens under the policy that sampled them
 * @param advantage its group-relative advantage
 * @param weight 1, or less for a trajectory kept despite being over the staleness bound
 * @param reward the verifier's reward, for metrics
 * @param staleness versions behind the learner when it was consumed, for metrics
 */
public record TrainingSample(
    int[] prompt,
    int[] completion,
    float[] behaviourLogProbs,
    float advantage,
    float weight,
    double reward,
    long staleness) {}
