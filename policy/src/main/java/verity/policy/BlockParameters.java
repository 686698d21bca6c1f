package verity.policy;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightValues;
import verity.actors.weights.WeightsChecksum;
import verity.actors.weights.WeightsHeader;

/**
 * The parameters of a policy's DJL block as the cluster moves them: counted, their gradients read
 * out and zeroed, and all of them exported and imported as one flat, checksummed, versioned array
 * in the block's parameter order. Shared by every kind of {@link Policy}.
 */
public final class BlockParameters {
  private final Model model;

  /** Carries imported values into the tensors; one per replica, reused by every import. */
  private final StagingBuffer staging = new StagingBuffer();

  public BlockParameters(Model model) {
    this.model = model;
  }

  private Iterable<Pair<String, Parameter>> parameters() {
    return model.getBlock().getParameters();
  }

  /** The parameter arrays themselves, on the policy's device, in export order. */
  public List<NDArray> arrays() {
    List<NDArray> out = new ArrayList<>();
    for (Pair<String, Parameter> p : parameters()) {
      out.add(p.getValue().getArray());
    }
    return out;
  }

  /** The parameter names, in export order. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    for (Pair<String, Parameter> p : parameters()) {
      out.add(p.getKey());
    }
    return out;
  }

  /** The parameter shapes, in export order. */
  public List<int[]> shapes() {
    List<int[]> out = new ArrayList<>();
    for (NDArray array : arrays()) {
      out.add(shape(array));
    }
    return out;
  }

  /**
   * CRC32C of the current weights, read tensor by tensor: the checksum {@link #export} would stamp,
   * without building the flat array.
   */
  public long checksum() {
    CRC32C crc = new CRC32C();
    for (NDArray array : arrays()) {
      WeightsChecksum.update(crc, array.toFloatArray());
    }
    return crc.getValue();
  }

  /**
   * The gradient of each parameter, on the policy's device, as wrappers attached to {@code scratch}
   * (closing it releases the wrappers, not the gradients).
   */
  public List<NDArray> gradientArrays(NDManager scratch) {
    List<NDArray> out = new ArrayList<>();
    for (NDArray array : arrays()) {
      NDArray g = array.getGradient();
      g.attach(scratch);
      out.add(g);
    }
    return out;
  }

  /**
   * The parameters whose gradient holds a NaN or an infinity, each with how many of its values do
   * ({@code name: 3 NaN, 1 infinite of 4096}); empty when every gradient is finite. For the message
   * of a step given up, so that it says where the fault is.
   */
  public List<String> nonFiniteGradients() {
    List<String> out = new ArrayList<>();
    try (NDManager scratch = model.getNDManager().newSubManager()) {
      List<String> names = names();
      List<NDArray> gradients = gradientArrays(scratch);
      for (int i = 0; i < gradients.size(); i++) {
        NDArray g = gradients.get(i);
        long nan = g.isNaN().countNonzero().getLong();
        long infinite = g.isInfinite().countNonzero().getLong();
        if (nan + infinite > 0) {
          out.add(names.get(i) + ": " + nan + " NaN, " + infinite + " infinite of " + g.size());
        }
      }
    }
    return out;
  }

  /** A copy of every parameter, on the same device, owned by {@code into}. */
  public List<NDArray> duplicate(NDManager into) {
    List<NDArray> out = new ArrayList<>();
    for (NDArray array : arrays()) {
      NDArray copy = array.duplicate();
      copy.attach(into);
      out.add(copy);
    }
    return out;
  }

  /** Overwrites every parameter in place with these tensors (a {@link #duplicate} taken before). */
  public void copyFrom(List<NDArray> source) {
    List<NDArray> targets = arrays();
    if (source.size() != targets.size()) {
      throw new IllegalArgumentException(
          source.size() + " tensors for " + targets.size() + " parameters");
    }
    for (int i = 0; i < targets.size(); i++) {
      TensorUpdates.copy(source.get(i), targets.get(i));
    }
  }

  /**
   * Overwrites every gradient with these flat values in export order (a reduced gradient from
   * learner shards).
   *
   * @throws IllegalArgumentException when the length is not this block's parameter count
   */
  public void loadGradients(float[] flat) {
    if (flat.length != count()) {
      throw new IllegalArgumentException(
          "a gradient of " + flat.length + " values for " + count() + " parameters");
    }
    try (NDManager scratch = model.getNDManager().newSubManager()) {
      int offset = 0;
      for (NDArray p : arrays()) {
        staging.setGradient(flat, offset, p, scratch);
        offset += Math.toIntExact(p.size());
      }
    }
  }

  public long count() {
    long n = 0;
    for (Pair<String, Parameter> p : parameters()) {
      n += p.getValue().getArray().size();
    }
    return n;
  }

  /** Marks every parameter as trainable: gradients are recorded for them inside a collector. */
  public void enableGradients() {
    for (Pair<String, Parameter> p : parameters()) {
      p.getValue().getArray().setRequiresGradient(true);
    }
  }

  /** The gradient of every parameter after a backward pass, flat in export order. */
  public float[] gradients() {
    float[] flat = new float[Math.toIntExact(count())];
    int offset = 0;
    for (Pair<String, Parameter> p : parameters()) {
      try (NDArray g = p.getValue().getArray().getGradient()) {
        float[] part = g.toFloatArray();
        System.arraycopy(part, 0, flat, offset, part.length);
        offset += part.length;
      }
    }
    return flat;
  }

  /** Sets every gradient to zero (PyTorch accumulates them across backward passes). */
  public void zeroGradients() {
    // The gradient wrappers, and the scalar that the indexed fill creates on the wrapper's manager,
    // live in a scratch manager closed here: on the model's own manager they would pile up, two
    // arrays per parameter per step, for the life of the replica.
    try (NDManager scratch = model.getNDManager().newSubManager()) {
      for (Pair<String, Parameter> p : parameters()) {
        NDArray g = p.getValue().getArray().getGradient();
        g.attach(scratch);
        // Fill in place, never multiply: 0 * NaN is NaN, and a skipped non-finite step would
        // otherwise poison every later one. Never set(Buffer) either: that points the gradient's
        // storage at a direct buffer owned by this short-lived wrapper, which the GC then frees
        // under PyTorch (a use-after-free that crashed runs after a few dozen steps).
        g.set(new NDIndex(":"), 0f);
      }
    }
  }

  /**
   * The current weights, checksummed and stamped with {@code version}: one array per tensor, each
   * the tensor's own copy out of native memory (no whole-model array, no second copy).
   */
  public FlatWeights export(PolicyVersion version) {
    List<float[]> tensors = new ArrayList<>();
    for (NDArray array : arrays()) {
      tensors.add(array.toFloatArray());
    }
    return FlatWeights.of(version, names(), shapes(), WeightValues.of(tensors));
  }

  /**
   * Replaces every parameter with the given weights' values.
   *
   * @throws IllegalArgumentException when the weights do not fit this block or their checksum does
   *     not hold; the parameters are left unchanged
   */
  public void importValues(FlatWeights weights) {
    WeightsHeader header = weights.header();
    if (!layout(header.version()).sameLayout(header)) {
      throw new IllegalArgumentException(
          "weights " + header.version() + " do not fit this policy: " + header.names());
    }
    if (!weights.checksumMatches()) {
      throw new IllegalArgumentException("weights " + header.version() + ": checksum mismatch");
    }
    // Copied in place, tensor by tensor, through the replica's one staging buffer: never
    // set(Buffer), which would point the parameter at a direct buffer of the model's size that
    // only a garbage collection frees, nor a fresh buffer per tensor, which leaves as much behind
    // until then.
    try (NDManager scratch = model.getNDManager().newSubManager()) {
      int i = 0;
      for (NDArray array : arrays()) {
        staging.copy(weights.values().tensor(i++), 0, array, scratch);
      }
    }
  }

  /** Names and shapes of the parameters. */
  private WeightsHeader layout(PolicyVersion version) {
    return new WeightsHeader(version, names(), shapes(), count(), 0);
  }

  private static int[] shape(NDArray array) {
    long[] dims = array.getShape().getShape();
    int[] shape = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      shape[i] = Math.toIntExact(dims[i]);
    }
    return shape;
  }
}
