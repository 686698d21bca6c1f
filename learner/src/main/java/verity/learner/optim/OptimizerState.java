package verity.learner.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * AdamW's state as checkpoints hold it: the step count and both moments, one array per parameter
 * tensor in the policy's export order (no whole-model array).
 */
public record OptimizerState(long steps, List<float[]> m, List<float[]> v) {

  public OptimizerState {
    if (m.size() != v.size()) {
      throw new IllegalArgumentException(
          "moments of " + m.size() + " and " + v.size() + " tensors");
    }
    for (int i = 0; i < m.size(); i++) {
      if (m.get(i).length != v.get(i).length) {
        throw new IllegalArgumentException(
            "tensor " + i + ": moments of " + m.get(i).length + " and " + v.get(i).length);
      }
    }
    m = List.copyOf(m);
    v = List.copyOf(v);
  }

  /** The state of an optimizer that has not stepped, for tensors of these sizes. */
  public static OptimizerState zeros(List<Integer> sizes) {
    List<float[]> m = new ArrayList<>();
    List<float[]> v = new ArrayList<>();
    for (int size : sizes) {
      m.add(new float[size]);
      v.add(new float[size]);
    }
    return new OptimizerState(0, m, v);
  }

  /** Splits flat moments (as learner shards still receive them) into tensors of these sizes. */
  public static OptimizerState fromFlat(long steps, float[] m, float[] v, List<Integer> sizes) {
    return new OptimizerState(steps, split(m, sizes), split(v, sizes));
  }

  /** The first moment as one flat array, for a learner shard's load message. */
  public float[] flatM() {
    return flat(m);
  }

  /** The second moment as one flat array, for a learner shard's load message. */
  public float[] flatV() {
    return flat(v);
  }

  private static List<float[]> split(float[] flat, List<Integer> sizes) {
    long total = sizes.stream().mapToLong(Integer::longValue).sum();
    if (total != flat.length) {
      throw new IllegalArgumentException(
          "moments of " + flat.length + " values for tensors of " + total);
    }
    List<float[]> out = new ArrayList<>(sizes.size());
    int offset = 0;
    for (int size : sizes) {
      out.add(java.util.Arrays.copyOfRange(flat, offset, offset + size));
      offset += size;
    }
    return out;
  }

  private static float[] flat(List<float[]> parts) {
    int total = 0;
    for (float[] p : parts) {
      total = Math.addExact(total, p.length);
    }
    float[] out = new float[total];
    int offset = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, offset, p.length);
      offset += p.length;
    }
    return out;
  }
}
