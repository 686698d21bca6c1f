package verity.learner.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import verity.policy.BlockParameters;
import verity.policy.StagingBuffer;
import verity.policy.TensorUpdates;

/**
 * AdamW (Loshchilov and Hutter) on a policy's own parameter tensors, on their device: both moments
 * are fp32 tensors beside the weights, the update runs in libtorch's fused kernel one tensor at a
 * time, and the gradient's global norm is computed there too, so a step moves no weights through
 * Java. With the same gradients it matches PyTorch's {@code torch.optim.AdamW} (beta1 0.9, beta2
 * 0.999, epsilon 1e-8, bias-corrected, decoupled weight decay). Weight decay skips tensors of rank
 * one or less (biases and norm scales), as Hugging Face trainers do. The learning rate of each step
 * comes from a {@link LearningRateSchedule}. Not thread-safe; one per replica.
 */
public final class AdamW implements AutoCloseable {
  public static final float BETA1 = 0.9f;
  public static final float BETA2 = 0.999f;
  public static final float EPSILON = 1e-8f;

  private final BlockParameters parameters;
  private final NDManager manager;
  private final List<NDArray> weights;
  private final List<NDArray> m = new ArrayList<>();
  private final List<NDArray> v = new ArrayList<>();
  private final boolean[] decays;
  private final LearningRateSchedule schedule;
  private final float weightDecay;
  private long steps;

  /**
   * An optimizer over these parameters whose moments live in a sub-manager of {@code parent} (the
   * model's manager, so on the model's device).
   */
  public AdamW(
      BlockParameters parameters,
      NDManager parent,
      LearningRateSchedule schedule,
      double weightDecay) {
    if (weightDecay < 0 || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weight decay must be >= 0: " + weightDecay);
    }
    this.parameters = parameters;
    this.manager = parent.newSubManager();
    this.weights = parameters.arrays();
    this.schedule = schedule;
    this.weightDecay = (float) weightDecay;
    this.decays = new boolean[weights.size()];
    for (int i = 0; i < weights.size(); i++) {
      NDArray w = weights.get(i);
      m.add(manager.zeros(w.getShape(), DataType.FLOAT32, w.getDevice()));
      v.add(manager.zeros(w.getShape(), DataType.FLOAT32, w.getDevice()));
      decays[i] = w.getShape().dimension() > 1;
    }
  }

  /** Updates made so far (restored ones included). */
  public long steps() {
    return steps;
  }

  /** The learning rate the last update used (the schedule's first before any). */
  public double learningRate() {
    return schedule.at(Math.max(1, steps));
  }

  /**
   * The global L2 norm of the parameters' current gradients, computed on the device (one read of a
   * value per tensor); NaN or infinite when any element is.
   */
  public double gradientNorm() {
    try (NDManager scratch = manager.newSubManager()) {
      NDList norms = new NDList();
      for (NDArray g : parameters.gradientArrays(scratch)) {
        norms.add(g.norm());
      }
      double sum = 0;
      for (float n : NDArrays.stack(norms).toFloatArray()) {
        sum += (double) n * n;
      }
      return Math.sqrt(sum);
    }
  }

  /**
   * One update from the parameters' current gradients, each multiplied by {@code rescale} first
   * (how the caller clips to a global norm, and normalizes a loss); the gradients are left as they
   * are.
   */
  public void step(double rescale) {
    steps++;
    double lr = schedule.at(steps);
    double correction1 = 1 - Math.pow(BETA1, steps);
    double root2 = Math.sqrt(1 - Math.pow(BETA2, steps));
    // lr / c1 * m / (sqrt(v) / sqrt(c2) + eps) = (lr sqrt(c2) / c1) * m / (sqrt(v) + eps sqrt(c2))
    float stepSize = (float) (lr * root2 / correction1);
    float epsilon = (float) (EPSILON * root2);
    try (NDManager scratch = manager.newSubManager()) {
      List<NDArray> gradients = parameters.gradientArrays(scratch);
      for (int i = 0; i < weights.size(); i++) {
        TensorUpdates.adamW(
            weights.get(i),
            gradients.get(i),
            m.get(i),
            v.get(i),
            (float) lr,
            stepSize,
            decays[i] ? weightDecay : 0f,
            (float) rescale,
            BETA1,
            BETA2,
            epsilon);
      }
    }
  }

  /** Tensor {@code i}'s first and second moments, read from the device. */
  public float[][] moments(int i) {
    return new float[][] {m.get(i).toFloatArray(), v.get(i).toFloatArray()};
  }

  /** Tensor {@code i}'s first moment, read from the device. */
  public float[] firstMoment(int i) {
    return m.get(i).toFloatArray();
  }

  /** Tensor {@code i}'s second moment, read from the device. */
  public float[] secondMoment(int i) {
    return v.get(i).toFloatArray();
  }

  /** The step count and both moments, read out per tensor, for a checkpoint. */
  public OptimizerState state() {
    List<float[]> ms = new ArrayList<>(m.size());
    List<float[]> vs = new ArrayList<>(v.size());
    for (int i = 0; i < m.size(); i++) {
      float[][] moments = moments(i);
      ms.add(moments[0]);
      vs.add(moments[1]);
    }
    return new OptimizerState(steps, ms, vs);
  }

  /**
   * Continues from a saved state.
   *
   * @throws IllegalArgumentException when its tensors are not this policy's; nothing changes then
   */
  public void load(OptimizerState state) {
    if (state.m().size() != m.size()) {
      throw new IllegalArgumentException(
          "optimizer state of " + state.m().size() + " tensors for " + m.size() + " parameters");
    }
    for (int i = 0; i < m.size(); i++) {
      if (state.m().get(i).length != m.get(i).size()) {
        throw new IllegalArgumentException(
            "optimizer state of tensor "
                + i
                + " holds "
                + state.m().get(i).length
                + " values; the parameter has "
                + m.get(i).size());
      }
    }
    StagingBuffer staging = new StagingBuffer();
    for (int i = 0; i < m.size(); i++) {
      overwrite(m.get(i), state.m().get(i), staging);
      overwrite(v.get(i), state.v().get(i), staging);
    }
    steps = state.steps();
  }

  private void overwrite(NDArray target, float[] values, StagingBuffer staging) {
    try (NDManager scratch = manager.newSubManager()) {
      staging.copy(values, 0, target, scratch);
    }
  }

  /** Weights and optimizer state as they are now, copied on the device, to {@link #restore}. */
  public Snapshot snapshot() {
    NDManager into = manager.newSubManager();
    List<NDArray> ms = new ArrayList<>();
    List<NDArray> vs = new ArrayList<>();
    for (int i = 0; i < m.size(); i++) {
      ms.add(m.get(i).duplicate());
      vs.add(v.get(i).duplicate());
    }
    ms.forEach(a -> a.attach(into));
    vs.forEach(a -> a.attach(into));
    return new Snapshot(into, parameters.duplicate(into), ms, vs, steps);
  }

  /** Puts the weights and optimizer state of a snapshot back. */
  public void restore(Snapshot s) {
    parameters.copyFrom(s.weights());
    for (int i = 0; i < m.size(); i++) {
      TensorUpdates.copy(s.m().get(i), m.get(i));
      TensorUpdates.copy(s.v().get(i), v.get(i));
    }
    steps = s.steps();
  }

  /** Copies of the weights and moments at one point; close it to free them. */
  public record Snapshot(
      NDManager manager, List<NDArray> weights, List<NDArray> m, List<NDArray> v, long steps)
      implements AutoCloseable {
    @Override
    public void close() {
      manager.close();
    }
  }

  @Override
  public void close() {
    manager.close();
  }

  @Override
  public String toString() {
    return "AdamW[" + schedule + ", weightDecay=" + weightDecay + ", steps=" + steps + "]";
  }
}
