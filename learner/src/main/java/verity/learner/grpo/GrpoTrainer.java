package verity.learner.grpo;

import java.util.List;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightsChecksum;
import verity.learner.checkpoint.Checkpoint;
import verity.learner.optim.FlatAdam;
import verity.learner.optim.Gradients;
import verity.policy.Policy;

/**
 * GRPO on one replica in one process: gradient of the objective on the whole batch, global
 * gradient-norm clipping, Adam on the flat weights, weights back into the replica. The sharded
 * learner does the same with the gradient computed in slices; tests and benchmarks use this one.
 * Not thread-safe.
 */
public final class GrpoTrainer implements StepTrainer {
  private final Policy policy;
  private final Objective objective;
  private final double maxGradNorm;
  private final GradientComputer gradients;
  private FlatAdam adam;
  private final float learningRate;
  private final FlatWeights layout;
  private final float[] weights;
  private long skipped;

  public GrpoTrainer(Policy policy, Objective objective, double learningRate, double maxGradNorm) {
    this.policy = policy;
    this.objective = objective;
    this.maxGradNorm = maxGradNorm;
    this.gradients = new GradientComputer(policy);
    this.layout = policy.exportWeights(policy.version());
    this.weights = layout.values().clone();
    this.learningRate = (float) learningRate;
    this.adam = new FlatAdam(this.learningRate, weights.length);
  }

  /** The training state after the last step, as {@code version}, for a checkpoint. */
  public Checkpoint checkpoint(PolicyVersion version) {
    return new Checkpoint(export(version), adam.state());
  }

  /**
   * Continues from a checkpoint: its weights go into the policy and its moments into the optimizer.
   *
   * @throws IllegalArgumentException when the checkpoint's layout is not this policy's
   */
  public void restore(Checkpoint c) {
    FlatWeights w = c.weights();
    if (!w.header().names().equals(layout.header().names())
        || w.values().length != weights.length) {
      throw new IllegalArgumentException(
          "checkpoint of "
              + w.version()
              + " has another parameter layout ("
              + w.values().length
              + " values) than this policy ("
              + weights.length
              + ")");
    }
    System.arraycopy(w.values(), 0, weights, 0, weights.length);
    FlatAdam.State o = c.optimizer();
    adam = new FlatAdam(learningRate, o.m().clone(), o.v().clone(), o.steps());
    policy.importWeights(w);
  }

  /** Steps skipped because the loss or gradient was not finite. */
  public long skipped() {
    return skipped;
  }

  /**
   * One step on these samples.
   *
   * @throws NonFiniteLossException when the loss or the gradient is NaN or infinite; the weights
   *     are unchanged and the step is counted in {@link #skipped()}
   */
  @Override
  public StepMetrics step(List<TrainingSample> samples) {
    long started = System.nanoTime();
    double tokens = BatchStatistics.tokens(samples);
    GradientComputer.Result r = gradient(samples, tokens);
    double norm = clipOrSkip(r, samples.size());
    applyClipped(r.gradient());
    return metrics(samples, r.sums(), norm, (System.nanoTime() - started) / 1e6);
  }

  /**
   * The gradient of one slice of a batch, normalized by the whole batch's token count, so that the
   * slices' gradients add up to the batch's (what learner shards compute).
   */
  public GradientComputer.Result gradient(List<TrainingSample> slice, double batchTokens) {
    return gradients.compute(slice, objective, batchTokens);
  }

  /**
   * Checks a (reduced) gradient and clips it in place to the global norm bound.
   *
   * @return the norm before clipping
   * @throws NonFiniteLossException when the loss or the gradient is not finite; counted
   */
  public double clipOrSkip(GradientComputer.Result r, int samples) {
    double norm = Gradients.norm(r.gradient());
    if (!Double.isFinite(r.sums().loss()) || !Double.isFinite(norm)) {
      skipped++;
      throw new NonFiniteLossException(r.sums().loss(), norm, samples);
    }
    if (norm > 0) {
      Gradients.clip(r.gradient(), maxGradNorm);
    }
    return norm;
  }

  /** Applies an already clipped gradient with Adam and loads the result into the policy. */
  public void applyClipped(float[] gradient) {
    if (Gradients.norm(gradient) == 0) {
      return; // nothing to learn from (every group had equal rewards); Adam's moments stay put
    }
    adam.apply(weights, gradient);
    policy.importWeights(
        FlatWeights.of(
            policy.version(), layout.header().names(), layout.header().shapes(), weights.clone()));
  }

  /** CRC32C of the current weights, for comparing replicas. */
  public long weightsChecksum() {
    return WeightsChecksum.of(weights);
  }

  /** Adam's state, for loading a learner shard. */
  public FlatAdam.State optimizerState() {
    return adam.state();
  }

  /** The metrics of a step from its batch and its (reduced) loss sums. */
  public static StepMetrics metrics(
      List<TrainingSample> samples, LossSums sums, double norm, double millis) {
    BatchStatistics b = BatchStatistics.of(samples, 8);
    return new StepMetrics(
        b.meanReward(),
        b.solvedFraction(),
        sums.meanLoss(),
        sums.meanKl(),
        sums.meanEntropy(),
        norm,
        sums.clipFraction(),
        sums.truncatedFraction(),
        b.meanStaleness(),
        b.maxStaleness(),
        b.stalenessHistogram(),
        samples.size(),
        (long) sums.tokens(),
        b.downweighted(),
        millis);
  }

  /** The weights after the last step, as a version for publishing. */
  public FlatWeights export(PolicyVersion version) {
    return FlatWeights.of(
        version, layout.header().names(), layout.header().shapes(), weights.clone());
  }
}
