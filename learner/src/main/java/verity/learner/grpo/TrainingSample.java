package verity.learner.grpo;

/**
 * One episode as the loss sees it.
 *
 * @param tokens every token fed after the prompt (see {@code Trajectory})
 * @param sampled true where the policy sampled the token: only those are trained on
 * @param behaviourLogProbs log-probs of the tokens under the policy that sampled them
 * @param advantage its group-relative advantage
 * @param weight 1, or less for a trajectory kept despite being over the staleness bound
 * @param reward the verifier's reward, for metrics
 * @param staleness versions behind the learner when it was consumed, for metrics
 */
public record TrainingSample(
    int[] prompt,
    int[] tokens,
    boolean[] sampled,
    float[] behaviourLogProbs,
    float advantage,
    float weight,
    double reward,
    long staleness) {

  /** A single-turn completion: every token was sampled by the policy. */
  public static TrainingSample completion(
      int[] prompt,
      int[] completion,
      float[] behaviourLogProbs,
      float advantage,
      float weight,
      double reward,
      long staleness) {
    boolean[] all = new boolean[completion.length];
    java.util.Arrays.fill(all, true);
    return new TrainingSample(
        prompt, completion, all, behaviourLogProbs, advantage, weight, reward, staleness);
  }
}
