package verity.actors.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/** CRC32C of a flat weight array's IEEE-754 bits, little-endian; hardware-accelerated on x86. */
public final class WeightsChecksum {
  private static final int BLOCK = 16 * 1024;

  private WeightsChecksum() {}

  public static long of(float[] values) {
    CRC32C crc = new CRC32C();
    update(crc, values);
    return crc.getValue();
  }

  /** The checksum of a version's values: that of its tensors laid end to end. */
  public static long of(WeightValues values) {
    CRC32C crc = new CRC32C();
    for (int i = 0; i < values.tensorCount(); i++) {
      update(crc, values.tensor(i));
    }
    return crc.getValue();
  }

  /**
   * Adds these values to a running checksum: the checksum of a flat array equals that of its parts
   * added in order.
   */
  public static void update(CRC32C crc, float[] values) {
    update(crc, values, 0, values.length);
  }

  /** Adds {@code values[from, from + count)} to a running checksum. */
  public static void update(CRC32C crc, float[] values, int from, int count) {
    ByteBuffer block = ByteBuffer.allocate(BLOCK * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = from; at < from + count; at += BLOCK) {
      int n = Math.min(BLOCK, from + count - at);
      block.clear();
      block.asFloatBuffer().put(values, at, n);
      block.limit(n * Float.BYTES);
      crc.update(block);
    }
  }
}
