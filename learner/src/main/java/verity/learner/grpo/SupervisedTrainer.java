package verity.learner.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import verity.policy.Policy;
import verity.policy.TrainingBatch;

/**
 * Supervised warm start: maximizes the log-likelihood of demonstrated completions (token-level
 * cross-entropy). Used for a short phase before RL on suites where exploration from a random policy
 * never finds a reward. Same threading rules as {@link GrpoTrainer}.
 */
public final class SupervisedTrainer implements AutoCloseable {
  private final Policy policy;
  private final Trainer trainer;

  public SupervisedTrainer(Policy policy, double learningRate) {
    this.policy = policy;
    Optimizer adam =
        Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) learningRate)).build();
    this.trainer =
        policy.model().newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(adam));
    trainer.initialize(policy.exampleInputShapes());
  }

  /** One step on these demonstrations; returns the mean token cross-entropy before the update. */
  public float step(int[][] prompts, int[][] completions) {
    try (NDManager step = trainer.getManager().newSubManager()) {
      TrainingBatch batch = policy.trainingBatch(step, prompts, completions);
      float value;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray logits = trainer.forward(batch.inputs()).get(0);
        NDArray logp = Policy.completionLogProbs(logits, batch, 1f).get(0);
        NDArray loss = logp.mul(batch.mask()).sum().div(batch.mask().sum()).neg();
        value = loss.getFloat();
        if (!Float.isFinite(value)) {
          throw new NonFiniteLossException(value, prompts.length);
        }
        collector.backward(loss);
      }
      trainer.step();
      return value;
    }
  }

  @Override
  public void close() {
    trainer.close();
  }
}
