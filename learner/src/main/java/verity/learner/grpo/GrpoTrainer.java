package verity.learner.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightValues;
import verity.learner.checkpoint.Checkpoint;
import verity.learner.checkpoint.CheckpointRef;
import verity.learner.checkpoint.CheckpointSource;
import verity.learner.checkpoint.CheckpointWriter;
import verity.learner.optim.AdamW;
import verity.learner.optim.Gradients;
import verity.learner.optim.Optimization;
import verity.learner.optim.OptimizerState;
import verity.policy.Policy;

/**
 * GRPO on one replica in one process. A step makes the updates its {@link UpdateSchedule} asks for
 * (PPO's epochs times minibatches; one by default), each a gradient of the objective on one
 * minibatch left in the replica, global gradient-norm clipping and AdamW on the replica's own
 * tensors, on its device ({@link AdamW}); the caller publishes one new version per step. Log-probs
 * that stay fixed over a batch's updates are computed once, before its first update: the proximal
 * policy's (decoupled PPO with more than one update) and the frozen reference policy's (a KL
 * penalty). The sharded learner does a single update with the gradient computed in slices; tests
 * and benchmarks use this one. Not thread-safe.
 *
 * <p>The reference policy is the policy this trainer starts from: its weights when it was built (v0
 * of a new run, after any warm start) or the checkpoint {@link #restore} loaded (after a resume).
 * It is held as a copy of the weight tensors on the device, not as a second replica: its log-probs
 * are computed on this replica with the reference weights copied in and the current ones put back,
 * which keeps one replica per learner.
 */
public final class GrpoTrainer implements StepTrainer, AutoCloseable {
  private final Policy policy;
  private final Objective objective;
  private final UpdateSchedule schedule;
  private final Optimization optimization;
  private final GradientComputer gradients;
  private final AdamW adam;
  private final NDManager held;
  private List<NDArray> reference;
  private long skipped;

  /**
   * The checkpoint being written from the live tensors: the next change to the weights or to the
   * optimizer's moments waits for it.
   */
  private CompletableFuture<?> writing = CompletableFuture.completedFuture(null);

  /** A trainer that makes one update per batch, at a constant learning rate. */
  public GrpoTrainer(Policy policy, Objective objective, double learningRate, double maxGradNorm) {
    this(policy, objective, UpdateSchedule.SINGLE, learningRate, maxGradNorm);
  }

  /** A trainer at a constant learning rate without weight decay. */
  public GrpoTrainer(
      Policy policy,
      Objective objective,
      UpdateSchedule schedule,
      double learningRate,
      double maxGradNorm) {
    this(policy, objective, schedule, Optimization.constant(learningRate, maxGradNorm));
  }

  public GrpoTrainer(
      Policy policy, Objective objective, UpdateSchedule schedule, Optimization optimization) {
    this.policy = policy;
    this.objective = objective;
    this.schedule = schedule;
    this.optimization = optimization;
    this.gradients = new GradientComputer(policy);
    NDManager models = policy.model().getNDManager();
    this.adam =
        new AdamW(policy.parameters(), models, optimization.schedule(), optimization.weightDecay());
    this.held = models.newSubManager();
    this.reference = objective.klCoefficient() > 0 ? policy.parameters().duplicate(held) : null;
  }

  /** How this trainer updates: learning-rate schedule, weight decay, gradient-norm bound. */
  public Optimization optimization() {
    return optimization;
  }

  /** The training state after the last step, as {@code version}, copied whole onto the heap. */
  public Checkpoint checkpoint(PolicyVersion version) {
    return new Checkpoint(export(version), adam.state());
  }

  /**
   * Writes the training state as {@code version} with {@code writer}, read tensor by tensor from
   * the device as the files are written (no copy of the model), and returns at once. Training goes
   * on meanwhile: the next step's forward and backward passes only read the weights; its update,
   * and anything else that changes the weights or the moments, waits until the write is done.
   */
  public CompletableFuture<CheckpointRef> checkpoint(
      CheckpointWriter writer, PolicyVersion version) {
    awaitCheckpoint();
    CompletableFuture<CheckpointRef> written = writer.save(liveCheckpoint(version));
    writing = written;
    return written;
  }

  /** Waits until a checkpoint being written from the live tensors is done (or failed). */
  private void awaitCheckpoint() {
    writing.handle((done, failed) -> null).join();
  }

  /**
   * The training state as {@code version}, read tensor by tensor from the device as it is written:
   * nothing may change the tensors until the write is done ({@link #checkpoint} sees to that).
   */
  public CheckpointSource liveCheckpoint(PolicyVersion version) {
    List<NDArray> arrays = policy.parameters().arrays();
    List<int[]> shapes = policy.parameters().shapes();
    List<String> names = policy.parameters().names();
    long steps = adam.steps();
    return new CheckpointSource() {
      @Override
      public PolicyVersion version() {
        return version;
      }

      @Override
      public List<String> names() {
        return names;
      }

      @Override
      public List<int[]> shapes() {
        return shapes;
      }

      @Override
      public long optimizerSteps() {
        return steps;
      }

      @Override
      public float[] weights(int i) {
        return arrays.get(i).toFloatArray();
      }

      @Override
      public float[] m(int i) {
        return adam.firstMoment(i);
      }

      @Override
      public float[] v(int i) {
        return adam.secondMoment(i);
      }
    };
  }

  /**
   * Continues from a checkpoint: its weights go into the policy and its moments into the optimizer.
   *
   * @throws IllegalArgumentException when the checkpoint's layout is not this policy's
   */
  public void restore(Checkpoint c) {
    awaitCheckpoint();
    FlatWeights w = c.weights();
    if (!w.header().names().equals(policy.parameters().names())
        || w.values().length() != policy.parameterCount()) {
      throw new IllegalArgumentException(
          "checkpoint of "
              + w.version()
              + " has another parameter layout ("
              + w.values().length()
              + " values) than this policy ("
              + policy.parameterCount()
              + ")");
    }
    policy.importWeights(w);
    adam.load(c.optimizer());
    if (reference != null) {
      reference.forEach(NDArray::close);
      reference = policy.parameters().duplicate(held);
    }
  }

  /** Steps skipped because the loss or gradient was not finite. */
  public long skipped() {
    return skipped;
  }

  /**
   * One step on these samples: every update of the schedule, one new version's worth. Each update
   * leaves its gradient in the replica, clips it by its global norm and applies AdamW there, on the
   * policy's device.
   *
   * @throws NonFiniteLossException when the loss or the gradient of any update is NaN or infinite;
   *     the weights and optimizer are as before the step, which is counted in {@link #skipped()}
   */
  @Override
  public StepMetrics step(List<TrainingSample> samples) {
    try {
      return attempt(samples);
    } catch (NonFiniteLossException e) {
      skipped++;
      throw e;
    }
  }

  private StepMetrics attempt(List<TrainingSample> samples) {
    long started = System.nanoTime();
    if (reference != null) {
      awaitCheckpoint(); // the reference's log-probs are computed with its weights swapped in
    }
    HeldLogProbs fixed = held(samples);
    List<int[]> minibatches = schedule.minibatchesOf(samples.size(), adam.steps());
    LossSums sums = LossSums.ZERO;
    double norms = 0;
    int updates = 0;
    try (AdamW.Snapshot before = minibatches.size() > 1 ? adam.snapshot() : null) {
      try {
        for (int[] part : minibatches) {
          if (part.length == 0) {
            continue;
          }
          List<TrainingSample> minibatch = select(samples, part);
          double tokens = BatchStatistics.tokens(minibatch);
          LossSums s = gradients.backward(minibatch, objective, tokens, fixed.select(part));
          double scale = GradientComputer.keptScale(s, tokens);
          double norm = adam.gradientNorm() * scale;
          if (!Double.isFinite(s.loss()) || !Double.isFinite(norm)) {
            throw new NonFiniteLossException(
                s.loss(), norm, minibatch.size(), policy.parameters().nonFiniteGradients());
          }
          if (norm > 0) { // zero: every group had equal rewards; Adam's moments stay put
            awaitCheckpoint();
            adam.step(scale * Math.min(1.0, optimization.maxGradNorm() / norm));
          }
          norms += norm;
          sums = sums.plus(s);
          updates++;
        }
      } catch (NonFiniteLossException e) {
        if (before != null) {
          awaitCheckpoint();
          adam.restore(before);
        }
        throw e;
      }
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
      try (NDManager current = held.newSubManager()) {
        List<NDArray> now = policy.parameters().duplicate(current);
        policy.parameters().copyFrom(reference);
        try {
          ref = gradients.logProbs(samples, objective.temperature());
        } finally {
          policy.parameters().copyFrom(now);
        }
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
      throw new NonFiniteLossException(r.sums().loss(), norm, samples, List.of());
    }
    if (norm > 0) {
      Gradients.clip(r.gradient(), optimization.maxGradNorm());
    }
    return norm;
  }

  /**
   * Applies an already clipped (reduced) gradient: it becomes the replica's gradient and AdamW
   * applies it on the device. A zero gradient changes nothing.
   */
  public void applyClipped(float[] gradient) {
    if (Gradients.norm(gradient) == 0) {
      return;
    }
    policy.parameters().loadGradients(gradient);
    awaitCheckpoint();
    adam.step(1.0);
  }

  /** CRC32C of the current weights, for comparing replicas (read per tensor, nothing flat). */
  public long weightsChecksum() {
    return policy.parameters().checksum();
  }

  /** Frees the optimizer's moments and the reference weights; the policy stays as it is. */
  @Override
  public void close() {
    awaitCheckpoint();
    adam.close();
    held.close();
  }

  /** AdamW's state, for loading a learner shard. */
  public OptimizerState optimizerState() {
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

  /** A flat array over this policy's parameters (a gradient, a moment) as its named tensors. */
  public FlatWeights asTensors(float[] flat) {
    return FlatWeights.of(
        PolicyVersion.INITIAL, policy.parameters().names(), policy.parameters().shapes(), flat);
  }

  /** Per-tensor arrays over this policy's parameters as its named tensors (no copy). */
  public FlatWeights asTensors(List<float[]> tensors) {
    return FlatWeights.of(
        PolicyVersion.INITIAL,
        policy.parameters().names(),
        policy.parameters().shapes(),
        WeightValues.of(tensors));
  }

  /** The weights after the last step, as a version for publishing. */
  public FlatWeights export(PolicyVersion version) {
    return policy.exportWeights(version);
  }
}
