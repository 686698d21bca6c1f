package verity.actors.weights.plane;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightsChecksum;
import verity.actors.weights.WeightsHeader;

/**
 * How values travel on the weight plane: as fp32, or as bfloat16 (half the bytes; each value
 * rounded to the nearest bfloat16, ties to even, as PyTorch's {@code .to(torch.bfloat16)} does). A
 * follower of a bfloat16 plane holds the rounded values, and the version's checksum is of those.
 */
public enum WireDtype {
  FLOAT32(4),
  BFLOAT16(2);

  private final int bytes;

  WireDtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per value on the wire. */
  public int bytes() {
    return bytes;
  }

  /** The config spelling: {@code float32} or {@code bfloat16}. */
  public static WireDtype parse(String name, String key) {
    return switch (name) {
      case "float32" -> FLOAT32;
      case "bfloat16" -> BFLOAT16;
      default ->
          throw new IllegalArgumentException(
              key + " must be float32 or bfloat16, got \"" + name + "\"");
    };
  }

  /** Writes {@code n} values from {@code src[from]} into {@code dst} (little-endian). */
  public void encode(float[] src, int from, int n, ByteBuffer dst) {
    dst.order(ByteOrder.LITTLE_ENDIAN);
    if (this == FLOAT32) {
      dst.asFloatBuffer().put(src, from, n);
      dst.position(dst.position() + n * 4);
      return;
    }
    int at = dst.position();
    for (int i = 0; i < n; i++) {
      dst.putShort(at + 2 * i, toBfloat16(src[from + i]));
    }
    dst.position(at + n * 2);
  }

  /** Reads {@code n} values from {@code src} into {@code dst[from]} (little-endian). */
  public void decode(ByteBuffer src, float[] dst, int from, int n) {
    src.order(ByteOrder.LITTLE_ENDIAN);
    if (this == FLOAT32) {
      src.asFloatBuffer().get(dst, from, n);
      src.position(src.position() + n * 4);
      return;
    }
    int at = src.position();
    for (int i = 0; i < n; i++) {
      dst[from + i] = Float.intBitsToFloat((src.getShort(at + 2 * i) & 0xFFFF) << 16);
    }
    src.position(at + n * 2);
  }

  /** The value a follower holds after this dtype's round trip. */
  public float round(float v) {
    return this == FLOAT32 ? v : Float.intBitsToFloat((toBfloat16(v) & 0xFFFF) << 16);
  }

  /**
   * The header of {@code weights} with the checksum of the values a follower holds after this
   * dtype's round trip (the same header for float32).
   */
  public WeightsHeader roundedHeader(FlatWeights weights) {
    WeightsHeader h = weights.header();
    if (this == FLOAT32) {
      return h;
    }
    float[] block = new float[16 * 1024];
    CRC32C crc = new CRC32C();
    for (int t = 0; t < weights.values().tensorCount(); t++) {
      float[] values = weights.values().tensor(t);
      for (int from = 0; from < values.length; from += block.length) {
        int n = Math.min(block.length, values.length - from);
        for (int i = 0; i < n; i++) {
          block[i] = round(values[from + i]);
        }
        WeightsChecksum.update(crc, block, 0, n);
      }
    }
    return new WeightsHeader(h.version(), h.names(), h.shapes(), h.totalLength(), crc.getValue());
  }

  /** The bfloat16 nearest to {@code v}, ties to even; NaN stays a (quiet) NaN. */
  static short toBfloat16(float v) {
    int bits = Float.floatToRawIntBits(v);
    if (Float.isNaN(v)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
