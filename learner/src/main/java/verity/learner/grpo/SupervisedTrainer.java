package verity.learner.grpo;

import verity.learner.optim.AdamW;
import verity.learner.optim.LearningRateSchedule;
import verity.policy.Policy;

/**
 * Supervised warm start on one replica: maximizes the log-likelihood of demonstrated completions
 * (token-level cross-entropy) with its own AdamW (constant rate, no weight decay, no clipping) on
 * the replica's tensors. Used for a short phase before RL on suites where exploration from a random
 * policy never finds a reward.
 */
public final class SupervisedTrainer implements AutoCloseable {
  private final GradientComputer gradients;
  private final Policy policy;
  private final AdamW adam;

  public SupervisedTrainer(Policy policy, double learningRate) {
    this.gradients = new GradientComputer(policy);
    this.policy = policy;
    this.adam =
        new AdamW(
            policy.parameters(),
            policy.model().getNDManager(),
            LearningRateSchedule.constant(learningRate),
            0);
  }

  /** One step on these demonstrations; returns the mean token cross-entropy before the update. */
  public double step(int[][] prompts, int[][] completions) {
    double tokens = 0;
    for (int[] c : completions) {
      tokens += c.length;
    }
    LossSums sums = gradients.supervised(prompts, completions, tokens);
    double norm = adam.gradientNorm();
    if (!Double.isFinite(sums.loss()) || !Double.isFinite(norm)) {
      throw new NonFiniteLossException(
          sums.loss(), norm, prompts.length, policy.parameters().nonFiniteGradients());
    }
    adam.step(1.0);
    return sums.meanLoss();
  }

  /** Frees the optimizer's moments (the weights stay, trained). */
  @Override
  public void close() {
    adam.close();
  }
}
