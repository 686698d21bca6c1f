package verity.actors.weights;

import java.util.List;

/**
 * A version's values, one Java array per tensor in layout order. There is no whole-model array: a
 * model's size is not bounded by a Java array's 2³¹ elements, a version needs no contiguous block
 * of heap as large as the model, and each tensor moves into or out of a model on its own. A single
 * tensor is bounded so (as DJL's buffers bound it anyway).
 *
 * <p>Equality is identity (a record over arrays). The arrays are shared, not copied: whoever fills
 * a version owns it until it is handed on, and from then on it is read only (use {@link #copy()}
 * for a changed copy).
 */
public record WeightValues(float[][] tensors) {
  /** The most values one tensor may hold: the largest Java array. */
  public static final long MAX_TENSOR = Integer.MAX_VALUE - 8;

  public WeightValues {
    for (int i = 0; i < tensors.length; i++) {
      if (tensors[i] == null) {
        throw new IllegalArgumentException("tensor " + i + " has no values");
      }
    }
  }

  /** These tensors' values as they are (the arrays are taken, not copied). */
  public static WeightValues of(List<float[]> tensors) {
    return new WeightValues(tensors.toArray(new float[0][]));
  }

  /** Zeros, one array per tensor of these shapes. */
  public static WeightValues zeros(List<int[]> shapes) {
    float[][] tensors = new float[shapes.size()][];
    for (int i = 0; i < tensors.length; i++) {
      tensors[i] = new float[size(shapes.get(i), i)];
    }
    return new WeightValues(tensors);
  }

  /** A flat array cut into tensors of these shapes (small models and tests). */
  public static WeightValues split(float[] flat, List<int[]> shapes) {
    float[][] tensors = new float[shapes.size()][];
    int offset = 0;
    for (int i = 0; i < tensors.length; i++) {
      int n = size(shapes.get(i), i);
      if (offset + (long) n > flat.length) {
        throw new IllegalArgumentException(
            "the shapes hold more than the " + flat.length + " values given");
      }
      tensors[i] = new float[n];
      System.arraycopy(flat, offset, tensors[i], 0, n);
      offset += n;
    }
    if (offset != flat.length) {
      throw new IllegalArgumentException(
          "the shapes hold " + offset + " values, " + flat.length + " given");
    }
    return new WeightValues(tensors);
  }

  private static int size(int[] shape, int tensor) {
    long n = WeightsHeader.elements(shape);
    if (n > MAX_TENSOR) {
      throw new IllegalArgumentException(
          "tensor "
              + tensor
              + " has "
              + n
              + " values, more than one array holds ("
              + MAX_TENSOR
              + ")");
    }
    return (int) n;
  }

  /** The number of tensors. */
  public int tensorCount() {
    return tensors.length;
  }

  /** Tensor {@code i}'s values: the array itself, not a copy. */
  public float[] tensor(int i) {
    return tensors[i];
  }

  /** The number of values of every tensor together. */
  public long length() {
    long n = 0;
    for (float[] t : tensors) {
      n += t.length;
    }
    return n;
  }

  /** True when tensor {@code i} holds as many values as a tensor of {@code shape}. */
  boolean fits(int i, int[] shape) {
    return tensors[i].length == WeightsHeader.elements(shape);
  }

  /** A copy that shares no array with this one. */
  public WeightValues copy() {
    float[][] copies = new float[tensors.length][];
    for (int i = 0; i < copies.length; i++) {
      copies[i] = tensors[i].clone();
    }
    return new WeightValues(copies);
  }

  /**
   * All values in one array, in layout order: for small models (tests, the GRU); a model past one
   * array's size is refused.
   */
  public float[] flatten() {
    long length = length();
    if (length > MAX_TENSOR) {
      throw new IllegalStateException(length + " values do not fit one array");
    }
    float[] flat = new float[(int) length];
    int offset = 0;
    for (float[] t : tensors) {
      System.arraycopy(t, 0, flat, offset, t.length);
      offset += t.length;
    }
    return flat;
  }
}
