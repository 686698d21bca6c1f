package verity.learner.grpo;

import verity.actors.weights.FlatWeights;
import verity.learner.optim.FlatAdam;
import verity.learner.optim.Gradients;
import verity.policy.Policy;

/**
 * Supervised warm start on one replica: maximizes the log-likelihood of demonstrated completions
 * (token-level cross-entropy) with its own Adam. Used for a short phase before RL on suites where
 * exploration from a random policy never finds a reward.
 */
public final class SupervisedTrainer {
  private final Policy policy;
  private final GradientComputer gradients;
  private final FlatAdam adam;
  private final FlatWeights layout;
  private final float[] weights;

  public SupervisedTrainer(Policy policy, double learningRate) {
    this.policy = policy;
    this.gradients = new GradientComputer(policy);
    this.layout = policy.exportWeights(policy.version());
    this.weights = layout.values().clone();
    this.adam = new FlatAdam((float) learningRate, weights.length);
  }

  /** One step on these demonstrations; returns the mean token cross-entropy before the update. */
  public double step(int[][] prompts, int[][] completions) {
    double tokens = 0;
    for (int[] c : completions) {
      tokens += c.length;
    }
    GradientComputer.Result r = gradients.supervised(prompts, completions, tokens);
    double norm = Gradients.norm(r.gradient());
    if (!Double.isFinite(r.sums().loss()) || !Double.isFinite(norm)) {
      throw new NonFiniteLossException(r.sums().loss(), norm, prompts.length);
    }
    adam.apply(weights, r.gradient());
    policy.importWeights(
        FlatWeights.of(
            policy.version(), layout.header().names(), layout.header().shapes(), weights.clone()));
    return r.sums().meanLoss();
  }
}
