package verity.learner.grpo;

import java.util.ArrayList;
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
 * GRPO on one replica in one process. A step makes the updates its {@link UpdateSchedule} asks for
 * (PPO's epochs times minibatches; one by default), each a gradient of the objective on one
 * minibatch, global gradient-norm clipping, Adam on the flat weights and the weights back into the
 * replica; the caller publishes one new version per step. Log-probs that stay fixed over a batch's
 * updates are computed once, before its first update: the proximal policy's (decoupled PPO with
 * more than one update) and the frozen reference policy's (a KL penalty). The sharded learner does
 * a single update with the gradient computed in slices; tests and benchmarks use this one. Not
 * thread-safe.
 *
 * <p>The reference policy is the policy this trainer starts from: its weights when it was built (v0
 * of a new run, after any warm start) or the checkpoint {@link #restore} loaded (after a resume).
 * It is held as a flat copy of the weights, not as a second replica: its log-probs are computed on
 * this replica with the reference weights loaded and the current ones put back, which keeps one
 * replica per learner.
 */
public final class GrpoTrainer implements StepTrainer {
  private final Policy policy;
  private final Objective objective;
  private final UpdateSchedule schedule;
  private final double maxGradNorm;
  private final GradientComputer gradients;
  private FlatAdam adam;
  private final float learningRate;
  private final FlatWeights layout;
  private final float[] weights;
  private float[] reference;
  private long skipped;

  /** A trainer that makes one update per batch. */
  public GrpoTrainer(Policy policy, Objective objective, double learningRate, double maxGradNorm) {
    this(policy, objective, UpdateSchedule.SINGLE, learningRate, maxGradNorm);
  }

  public GrpoTrainer(
      Policy policy,
      Objective objective,
      UpdateSchedule schedule,
      double learningRate,
      double maxGradNorm) {
    this.policy = policy;
    this.objective = objective;
    this.schedule = schedule;
    this.maxGradNorm = maxGradNorm;
    this.gradients = new GradientComputer(policy);
    this.layout = policy.exportWeights(policy.version());
    this.weights = layout.values().clone();
    this.learningRate = (float) learningRate;
    this.adam = new FlatAdam(this.learningRate, weights.length);
    this.reference = objective.klCoefficient() > 0 ? weights.clone() : null;
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
    if (reference != null) {
      reference = weights.clone();
    }
  }

  /** Steps skipped because the loss or gradient was not finite. */
  public long skipped() {
    return skipped;
  }

  /**
   * One step on these samples: every update of the schedule, one new version's worth.
   *
   * @throws NonFiniteLossException when the loss or the gradient of any update is NaN or infinite;
   *     the weights and optimizer are as before the step, which is counted in {@link #skipped()}
   */
  @Override
  public StepMetrics step(List<TrainingSample> samples) {
    long started = System.nanoTime();
    HeldLogProbs held = held(samples);
    List<int[]> minibatches = schedule.minibatchesOf(samples.size(), adam.steps());
    FlatAdam.State before = minibatches.size() > 1 ? adam.state() : null;
    float[] weightsBefore = before != null ? weights.clone() : null;
    LossSums sums = LossSums.ZERO;
    double norms = 0;
    int updates = 0;
    try {
      for (int[] part : minibatches) {
        if (part.length == 0) {
          continue;
        }
        List<TrainingSample> minibatch = select(samples, part);
        double tokens = BatchStatistics.tokens(minibatch);
        GradientComputer.Result r =
            gradients.compute(minibatch, objective, tokens, held.select(part)).perKeptToken(tokens);
        double norm = clipOrSkip(r, minibatch.size());
        norms += norm;
        apply(r.gradient(), norm);
        sums = sums.plus(r.sums());
        updates++;
      }
    } catch (NonFiniteLossException e) {
      if (before != null) {
        rollBack(weightsBefore, before);
      }
      throw e;
    }
    double norm = updates == 0 ? 0 : norms / updates;
    return metrics(
        objective, samples, sums, norm, Math.max(1, updates), (System.nanoTime() - started) / 1e6);
  }

  /** The log-probs held over this batch's updates, computed before the first. */
  private HeldLogProbs held(List<TrainingSample> samples) {
    boolean proximal = objective.kind() == Objective.Kind.DECOUPLED_PPO && schedule.updates() > 1;
    if (samples.isEmpty() || (!proximal && reference == null)) {
      return HeldLogProbs.NONE;
    }
    List<float[]> prox = proximal ? gradients.logProbs(samples, objective.temperature()) : null;
    List<float[]> ref = null;
    if (reference != null) {
      PolicyVersion at = policy.version();
      policy.importWeights(
          FlatWeights.of(at, layout.header().names(), layout.header().shapes(), reference));
      try {
        ref = gradients.logProbs(samples, objective.temperature());
      } finally {
        policy.importWeights(
            FlatWeights.of(at, layout.header().names(), layout.header().shapes(), weights.clone()));
      }
    }
    return new HeldLogProbs(prox, ref);
  }

  private static List<TrainingSample> select(List<TrainingSample> samples, int[] indices) {
    List<TrainingSample> out = new ArrayList<>(indices.length);
    for (int i : indices) {
      out.add(samples.get(i));
    }
    return out;
  }

  private void rollBack(float[] weightsBefore, FlatAdam.State optimizerBefore) {
    System.arraycopy(weightsBefore, 0, weights, 0, weights.length);
    adam =
        new FlatAdam(
            learningRate, optimizerBefore.m(), optimizerBefore.v(), optimizerBefore.steps());
    policy.importWeights(
        FlatWeights.of(
            policy.version(), layout.header().names(), layout.header().shapes(), weights.clone()));
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
    apply(gradient, Gradients.norm(gradient));
  }

  /**
   * {@link #applyClipped} with the gradient's norm known (clipping leaves a nonzero one nonzero).
   */
  private void apply(float[] gradient, double norm) {
    if (norm == 0) {
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

  /**
   * The metrics of a step from its batch and its (reduced) loss sums over all its updates; the clip
   * fraction goes to the field of the ratio this objective clips.
   */
  public static StepMetrics metrics(
      Objective objective,
      List<TrainingSample> samples,
      LossSums sums,
      double norm,
      int updates,
      double millis) {
    BatchStatistics b = BatchStatistics.of(samples, 8);
    boolean decoupled = objective.kind() == Objective.Kind.DECOUPLED_PPO;
    boolean filter = objective.behaviourWeight() == Objective.BehaviourWeight.FILTER;
    return new StepMetrics(
        b.meanReward(),
        b.solvedFraction(),
        sums.meanLoss(),
        sums.meanKl(),
        sums.meanEntropy(),
        norm,
        decoupled ? Double.NaN : sums.clipFraction(),
        decoupled ? sums.clipFraction() : Double.NaN,
        decoupled && !filter ? sums.truncatedFraction() : Double.NaN,
        decoupled && filter ? sums.droppedFraction() : Double.NaN,
        objective.klCoefficient() > 0 ? sums.meanReferenceKl() : Double.NaN,
        updates,
        b.meanStaleness(),
        b.maxStaleness(),
        b.stalenessHistogram(),
        samples.size(),
        (long) BatchStatistics.tokens(samples),
        b.downweighted(),
        millis);
  }

  /** The weights after the last step, as a version for publishing. */
  public FlatWeights export(PolicyVersion version) {
    return FlatWeights.of(
        version, layout.header().names(), layout.header().shapes(), weights.clone());
  }
}
