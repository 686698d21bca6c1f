package verity.learner.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.List;
import verity.actors.protocol.StepMetrics;
import verity.policy.Policy;
import verity.policy.TrainingBatch;

/**
 * Applies GRPO steps to a policy: PPO-clipped importance ratio against the behaviour log-probs,
 * advantages from the group, an entropy bonus, a token-level mean over every completion token of
 * the batch, global gradient-norm clipping and Adam. Plain Java with no actors: the learner actor,
 * benchmarks and tests drive it the same way. Not thread-safe; DJL allows one open gradient
 * collector per JVM, so callers must not run two steps at once.
 */
public final class GrpoTrainer implements AutoCloseable {

  /** The objective's knobs. */
  public record Objective(
      double learningRate,
      double clip,
      double entropyCoefficient,
      double maxGradNorm,
      float temperature) {}

  private final Policy policy;
  private final Objective objective;
  private final Trainer trainer;

  public GrpoTrainer(Policy policy, Objective objective) {
    this.policy = policy;
    this.objective = objective;
    Optimizer adam =
        Optimizer.adam()
            .optLearningRateTracker(Tracker.fixed((float) objective.learningRate()))
            .build();
    // DJL wants a Loss even though the loss below is computed by hand.
    DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(adam);
    this.trainer = policy.model().newTrainer(config);
    trainer.initialize(policy.exampleInputShapes());
  }

  /**
   * One gradient step on these samples.
   *
   * @return what the step measured; {@code gradNorm} is 0 and no update is made when the gradient
   *     is exactly zero (nothing to learn from this batch)
   * @throws NonFiniteLossException when the loss is NaN or infinite; the weights are unchanged
   */
  public StepMetrics step(List<TrainingSample> samples) {
    long started = System.nanoTime();
    int n = samples.size();
    int[][] prompts = new int[n][];
    int[][] tokens = new int[n][];
    boolean[][] sampled = new boolean[n][];
    int c = 1;
    for (TrainingSample s : samples) {
      c = Math.max(c, s.tokens().length);
    }
    float[] behaviour = new float[n * c];
    float[] advantages = new float[n];
    double rewardSum = 0;
    double stalenessSum = 0;
    long maxStaleness = 0;
    int downweighted = 0;
    for (int i = 0; i < n; i++) {
      TrainingSample s = samples.get(i);
      prompts[i] = s.prompt();
      tokens[i] = s.tokens();
      sampled[i] = s.sampled();
      System.arraycopy(s.behaviourLogProbs(), 0, behaviour, i * c, s.behaviourLogProbs().length);
      advantages[i] = s.advantage() * s.weight();
      rewardSum += s.reward();
      stalenessSum += s.staleness();
      maxStaleness = Math.max(maxStaleness, s.staleness());
      downweighted += s.weight() < 1f ? 1 : 0;
    }
    try (NDManager step = trainer.getManager().newSubManager()) {
      TrainingBatch batch = policy.trainingBatch(step, prompts, tokens, sampled);
      NDArray old = step.create(behaviour, new Shape(n, c));
      NDArray adv = step.create(advantages, new Shape(n, 1));
      float lossValue;
      float klValue;
      float entropyValue;
      float clipFraction;
      long trainedTokens;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray logits = trainer.forward(batch.inputs()).get(0);
        NDList lp = Policy.completionLogProbs(logits, batch, objective.temperature());
        NDArray mask = batch.mask();
        NDArray count = mask.sum();
        NDArray logRatio = lp.get(0).sub(old).mul(mask);
        NDArray ratio = logRatio.exp();
        float lo = (float) (1 - objective.clip());
        float hi = (float) (1 + objective.clip());
        NDArray surrogate = ratio.mul(adv).minimum(ratio.clip(lo, hi).mul(adv));
        NDArray tokenLoss =
            surrogate.neg().sub(lp.get(1).mul((float) objective.entropyCoefficient()));
        NDArray loss = tokenLoss.mul(mask).sum().div(count);
        lossValue = loss.getFloat();
        if (!Float.isFinite(lossValue)) {
          throw new NonFiniteLossException(lossValue, n);
        }
        collector.backward(loss);
        try (NDArray nograd = ratio.stopGradient()) {
          NDArray clipped =
              nograd.sub(1f).abs().gt((float) objective.clip()).toType(mask.getDataType(), false);
          clipFraction = clipped.mul(mask).sum().div(count).getFloat();
          NDArray kl = nograd.sub(1f).sub(logRatio.stopGradient()).mul(mask).sum().div(count);
          klValue = kl.getFloat();
          entropyValue = lp.get(1).stopGradient().mul(mask).sum().div(count).getFloat();
          trainedTokens = (long) count.getFloat();
        }
      }
      double gradNorm = clipGradients();
      if (gradNorm > 0) {
        trainer.step();
      }
      return new StepMetrics(
          n == 0 ? 0 : rewardSum / n,
          lossValue,
          klValue,
          entropyValue,
          gradNorm,
          clipFraction,
          n == 0 ? 0 : stalenessSum / n,
          maxStaleness,
          n,
          trainedTokens,
          downweighted,
          (System.nanoTime() - started) / 1e6);
    }
  }

  /** Scales the gradient down to {@code maxGradNorm} if it is larger; returns the norm before. */
  private double clipGradients() {
    List<NDArray> grads =
        policy.model().getBlock().getParameters().stream()
            .map(Pair::getValue)
            .map(Parameter::getArray)
            .map(NDArray::getGradient)
            .toList();
    double sumSquares = 0;
    for (NDArray g : grads) {
      try (NDArray sq = g.square().sum()) {
        sumSquares += sq.getFloat();
      }
    }
    double norm = Math.sqrt(sumSquares);
    if (norm > objective.maxGradNorm()) {
      float scale = (float) (objective.maxGradNorm() / norm);
      for (NDArray g : grads) {
        g.muli(scale);
      }
    }
    for (NDArray g : grads) {
      g.close();
    }
    return norm;
  }

  @Override
  public void close() {
    trainer.close();
  }
}
