package verity.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies Java float values into tensors through one direct buffer, reused from tensor to tensor.
 * DJL's {@code NDManager.create(float[])} copies the values into a fresh direct buffer that only a
 * garbage collection frees, so importing a whole model tensor by tensor left a model's worth of
 * direct memory behind each time (the resident set of a replica that imports every version grew by
 * that much until the collector ran). Here the tensor borrows the buffer only for the copy, and the
 * buffer, as large as the largest tensor, serves every later copy. Not thread-safe: one per replica
 * (whose imports never overlap) or per load.
 */
public final class StagingBuffer {
  private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

  /**
   * Overwrites {@code target} with {@code values[offset, offset + target.size())}, on its device.
   */
  public void copy(float[] values, int offset, NDArray target, NDManager scratch) {
    fill(values, offset, Math.toIntExact(target.size()));
    try (NDArray part = scratch.create(buffer, target.getShape(), DataType.FLOAT32)) {
      TensorUpdates.copy(part.toDevice(target.getDevice(), false), target);
    }
  }

  /** Sets {@code parameter}'s gradient to {@code values[offset, offset + parameter.size())}. */
  public void setGradient(float[] values, int offset, NDArray parameter, NDManager scratch) {
    fill(values, offset, Math.toIntExact(parameter.size()));
    try (NDArray part = scratch.create(buffer, parameter.getShape(), DataType.FLOAT32)) {
      TensorUpdates.setGradient(parameter, part.toDevice(parameter.getDevice(), false));
    }
  }

  /** Puts {@code values[offset, offset + n)} at the start of the buffer, grown when too small. */
  private void fill(float[] values, int offset, int n) {
    if (buffer.capacity() < n * Float.BYTES) {
      buffer = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder());
    }
    buffer.clear().limit(n * Float.BYTES); // position 0: the tensor starts at the buffer's address
    buffer.asFloatBuffer().put(values, offset, n);
  }
}
