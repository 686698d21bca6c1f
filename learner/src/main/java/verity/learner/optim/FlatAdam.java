package verity.learner.optim;

/**
 * Adam over a flat weight array (Kingma and Ba; DJL's defaults: beta1 0.9, beta2 0.999, epsilon
 * 1e-8), with its moments in plain arrays. Hand-written because DJL's Adam keeps its moments
 * private, so they could neither be checkpointed nor restored, and because plain Java arithmetic is
 * bit-for-bit reproducible: every learner shard that applies the same reduced gradient ends with
 * the same weights, which the checksum after each step verifies.
 */
public final class FlatAdam {
  public static final float BETA1 = 0.9f;
  public static final float BETA2 = 0.999f;
  public static final float EPSILON = 1e-8f;

  private final float learningRate;
  private final float[] m;
  private final float[] v;
  private long steps;

  public FlatAdam(float learningRate, int size) {
    this(learningRate, new float[size], new float[size], 0);
  }

  /** Restores a state saved with {@link #state()}. */
  public FlatAdam(float learningRate, float[] m, float[] v, long steps) {
    if (m.length != v.length) {
      throw new IllegalArgumentException(
          "moments differ in length: " + m.length + " vs " + v.length);
    }
    this.learningRate = learningRate;
    this.m = m;
    this.v = v;
    this.steps = steps;
  }

  /** The optimizer state: both moments and the step count. */
  public record State(float[] m, float[] v, long steps) {}

  public State state() {
    return new State(m.clone(), v.clone(), steps);
  }

  public long steps() {
    return steps;
  }

  /** Updates {@code weights} in place with {@code gradient}. */
  public void apply(float[] weights, float[] gradient) {
    if (weights.length != m.length || gradient.length != m.length) {
      throw new IllegalArgumentException(
          "optimizer holds "
              + m.length
              + " values; got "
              + weights.length
              + " weights and "
              + gradient.length
              + " gradients");
    }
    steps++;
    double correction1 = 1 - Math.pow(BETA1, steps);
    double correction2 = 1 - Math.pow(BETA2, steps);
    float stepSize = (float) (learningRate / correction1);
    float root2 = (float) Math.sqrt(correction2);
    for (int i = 0; i < weights.length; i++) {
      float g = gradient[i];
      m[i] = BETA1 * m[i] + (1 - BETA1) * g;
      v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
      weights[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / root2 + EPSILON);
    }
  }

  @Override
  public String toString() {
    return "FlatAdam[lr=" + learningRate + ", steps=" + steps + ", size=" + m.length + "]";
  }
}
