package verity.actors.weights.plane;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A chunk sent as the difference from the version a follower holds: only the values whose wire
 * encoding changed (a bfloat16 value counts as changed when its rounded bits did, so a follower
 * that applies the difference holds exactly what a full bfloat16 chunk would have given it).
 *
 * <p>Payload: the number of changed values (4 bytes), the length of the position list in bytes (4
 * bytes), each position as the gap from the previous one (the first from -1) in unsigned LEB128,
 * then the changed values in the wire dtype, little-endian.
 */
final class ChunkDelta {
  private static final int HEADER = 4 + 4;

  private ChunkDelta() {}

  /**
   * The payload that turns {@code base[from, from + n)} into {@code now[from, from + n)} as sent in
   * {@code dtype}, or null when it would not be smaller than the chunk itself.
   */
  static byte[] encode(float[] now, float[] base, int from, int n, WireDtype dtype) {
    int[] changed = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (wireBits(now[from + i], dtype) != wireBits(base[from + i], dtype)) {
        changed[count++] = i;
      }
    }
    int gapBytes = 0;
    int previous = -1;
    for (int k = 0; k < count; k++) {
      gapBytes += varintLength(changed[k] - previous);
      previous = changed[k];
    }
    long size = (long) HEADER + gapBytes + (long) count * dtype.bytes();
    if (size >= (long) n * dtype.bytes()) {
      return null;
    }
    ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(count).putInt(gapBytes);
    previous = -1;
    for (int k = 0; k < count; k++) {
      putVarint(out, changed[k] - previous);
      previous = changed[k];
    }
    float[] values = new float[count];
    for (int k = 0; k < count; k++) {
      values[k] = now[from + changed[k]];
    }
    dtype.encode(values, 0, count, out);
    return out.array();
  }

  /**
   * Applies a payload to {@code values[from, from + n)}, which holds the base version's values.
   *
   * @throws PlaneFrames.PlaneProtocolException when the payload does not describe such a chunk
   */
  static void apply(ByteBuffer payload, float[] values, int from, int n, WireDtype dtype) {
    ByteBuffer in = payload.slice().order(ByteOrder.LITTLE_ENDIAN);
    if (in.remaining() < HEADER) {
      throw new PlaneFrames.PlaneProtocolException("a delta chunk of " + in.remaining() + " bytes");
    }
    int count = in.getInt();
    int gapBytes = in.getInt();
    if (count < 0
        || count > n
        || gapBytes < count
        || (long) gapBytes + (long) count * dtype.bytes() != in.remaining()) {
      throw new PlaneFrames.PlaneProtocolException(
          "a delta chunk of "
              + count
              + " values and "
              + gapBytes
              + " position bytes in "
              + in.remaining()
              + " bytes, for a chunk of "
              + n);
    }
    int[] positions = new int[count];
    int position = -1;
    int gapsEnd = in.position() + gapBytes;
    for (int k = 0; k < count; k++) {
      position += getVarint(in, gapsEnd);
      if (position >= n) {
        throw new PlaneFrames.PlaneProtocolException(
            "a delta position " + position + " outside a chunk of " + n);
      }
      positions[k] = position;
    }
    if (in.position() != gapsEnd) {
      throw new PlaneFrames.PlaneProtocolException("a delta chunk's positions do not end as said");
    }
    float[] changed = new float[count];
    dtype.decode(in, changed, 0, count);
    for (int k = 0; k < count; k++) {
      values[from + positions[k]] = changed[k];
    }
  }

  private static int wireBits(float v, WireDtype dtype) {
    return dtype == WireDtype.FLOAT32 ? Float.floatToRawIntBits(v) : WireDtype.toBfloat16(v);
  }

  private static int varintLength(int v) {
    int n = 1;
    while ((v >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  private static void putVarint(ByteBuffer out, int v) {
    while ((v & ~0x7F) != 0) {
      out.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.put((byte) v);
  }

  /** A gap of at least 1 (positions strictly increase), read before {@code end}. */
  private static int getVarint(ByteBuffer in, int end) {
    int v = 0;
    for (int shift = 0; shift < 32; shift += 7) {
      if (in.position() >= end) {
        throw new PlaneFrames.PlaneProtocolException("a delta position runs past its list");
      }
      byte b = in.get();
      v |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (v < 1) {
          throw new PlaneFrames.PlaneProtocolException("a delta position gap of " + v);
        }
        return v;
      }
    }
    throw new PlaneFrames.PlaneProtocolException("a delta position longer than 5 bytes");
  }
}
