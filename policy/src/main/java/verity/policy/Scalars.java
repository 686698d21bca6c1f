package verity.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic between a tensor and a constant that autograd can differentiate safely. Use these, not
 * DJL's {@code NDArray.mul(Number)} and its siblings, in anything a backward pass goes through.
 *
 * <p>DJL's PyTorch engine builds the constant of {@code x.mul(0.5f)} as a tensor over a direct
 * buffer that only its Java wrapper keeps alive, runs the op and closes the wrapper at once. When
 * {@code x} requires a gradient, autograd has saved that constant for the backward pass (to
 * multiply or divide the incoming gradient by it); the next garbage collection frees the buffer,
 * the allocator hands its memory to someone else, and the backward pass reads whatever is there: a
 * NaN or infinite gradient norm, or a finite but wrong gradient, coming and going with the
 * collector's timing. Here the constant is a tensor PyTorch allocates itself (on the operand's
 * manager and device), which autograd's reference keeps alive for as long as it needs it.
 */
public final class Scalars {
  private Scalars() {}

  /** A 0-d tensor holding {@code value}, of {@code like}'s type, device and manager. */
  public static NDArray of(NDArray like, float value) {
    return like.getManager().full(new Shape(), value, like.getDataType(), like.getDevice());
  }

  public static NDArray add(NDArray x, float value) {
    return x.add(of(x, value));
  }

  public static NDArray sub(NDArray x, float value) {
    return x.sub(of(x, value));
  }

  public static NDArray mul(NDArray x, float value) {
    return x.mul(of(x, value));
  }

  public static NDArray div(NDArray x, float value) {
    return x.div(of(x, value));
  }

  public static NDArray minimum(NDArray x, float value) {
    return x.minimum(of(x, value));
  }
}
