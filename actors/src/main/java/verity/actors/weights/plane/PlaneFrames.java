package verity.actors.weights.plane;

import akka.util.ByteString;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightValues;

/**
 * The weight plane's frames, each preceded by its length (4 bytes, little-endian, not counting
 * itself). A follower sends one request (which version, from which chunk, and the version it holds
 * already, if any); the server answers with that version's chunks in order, each with the CRC32C of
 * its payload, or with one "gone" frame when it does not hold the version. A chunk goes as the
 * difference from the follower's version ({@link ChunkDelta}) when the server holds that version
 * too and the difference is smaller.
 */
final class PlaneFrames {
  static final byte REQUEST = 1;
  static final byte CHUNK = 2;
  static final byte GONE = 3;
  static final byte DELTA = 4;

  static final int LENGTH_FIELD = 4;
  private static final int REQUEST_BODY = 1 + 8 + 8 + 4 + 8 + 8;
  private static final int CHUNK_HEADER = 1 + 4 + 4;

  /** The largest request frame, for the server's framing. */
  static final int MAX_REQUEST = LENGTH_FIELD + REQUEST_BODY;

  private PlaneFrames() {}

  /** Thrown when a peer sends something that is not a weight-plane frame. */
  static final class PlaneProtocolException extends RuntimeException {
    PlaneProtocolException(String message) {
      super(message);
    }
  }

  /** {@code base}: the version the follower holds, null when none. */
  record Request(PolicyVersion version, int from, PolicyVersion base) {}

  static ByteString request(PolicyVersion version, int from, PolicyVersion base) {
    ByteBuffer b = ByteBuffer.allocate(LENGTH_FIELD + REQUEST_BODY).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(REQUEST_BODY).put(REQUEST).putLong(version.epoch()).putLong(version.value());
    b.putInt(from);
    b.putLong(base == null ? -1 : base.epoch()).putLong(base == null ? -1 : base.value());
    return ByteString.fromArrayUnsafe(b.array());
  }

  static Request parseRequest(ByteString frame) {
    ByteBuffer b = frame.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() != LENGTH_FIELD + REQUEST_BODY) {
      throw new PlaneProtocolException("a weight-plane request of " + b.remaining() + " bytes");
    }
    b.getInt();
    if (b.get() != REQUEST) {
      throw new PlaneProtocolException("expected a weight-plane request");
    }
    long epoch = b.getLong();
    long value = b.getLong();
    int from = b.getInt();
    long baseEpoch = b.getLong();
    long baseValue = b.getLong();
    boolean noBase = baseEpoch == -1 && baseValue == -1;
    if (epoch < 0 || value < 0 || from < 0 || (!noBase && (baseEpoch < 0 || baseValue < 0))) {
      throw new PlaneProtocolException("a weight-plane request with a negative field");
    }
    return new Request(
        new PolicyVersion(epoch, value),
        from,
        noBase ? null : new PolicyVersion(baseEpoch, baseValue));
  }

  static ByteString gone() {
    ByteBuffer b = ByteBuffer.allocate(LENGTH_FIELD + 1).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1).put(GONE);
    return ByteString.fromArrayUnsafe(b.array());
  }

  /**
   * Reads the next frame from {@code in} into {@code into}, its length field included, and returns
   * its size in bytes, or -1 when {@code peer} closed before another began. A frame declaring a
   * body outside [{@code minBody}, {@code maxBody}] bytes is refused before any more of it is read.
   */
  static int readFrame(DataInputStream in, byte[] into, int minBody, int maxBody, Object peer)
      throws IOException {
    try {
      in.readFully(into, 0, LENGTH_FIELD);
    } catch (EOFException closed) {
      return -1;
    }
    int length = ByteBuffer.wrap(into, 0, LENGTH_FIELD).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (length < minBody || length > maxBody) {
      throw new PlaneProtocolException(
          peer + " sent a frame of " + length + " bytes (" + minBody + " to " + maxBody + ")");
    }
    in.readFully(into, LENGTH_FIELD, length);
    return LENGTH_FIELD + length;
  }

  /** The largest chunk frame of a layout sent as {@code dtype}. */
  static int maxChunkFrame(ChunkLayout layout, WireDtype dtype) {
    return LENGTH_FIELD + CHUNK_HEADER + layout.maxLength() * dtype.bytes();
  }

  /**
   * Chunk {@code index} of a version for a follower that holds {@code base} (null: none): the
   * difference from it when the version was published with that base and the difference is the
   * smaller frame, else the whole chunk.
   */
  static ByteString frame(ServedVersion version, int index, PolicyVersion base) {
    ByteString delta = differenceFor(version, index, base);
    return delta != null ? delta : chunk(version, index);
  }

  /**
   * The difference frame of chunk {@code index} for a follower on {@code base} (built once and
   * shared by every follower on it), or null when the chunk goes whole: the follower is on no base
   * or another, or the difference is not smaller.
   */
  static ByteString differenceFor(ServedVersion version, int index, PolicyVersion base) {
    FlatWeights from = version.base();
    if (base == null || from == null || !from.version().equals(base)) {
      return null;
    }
    ByteString delta = version.deltas().get(index);
    if (delta == null) {
      delta = delta(version, index, from.values());
      version.deltas().remember(index, delta);
    }
    return delta.isEmpty() ? null : delta;
  }

  /** The difference frame of chunk {@code index}, or an empty string when it is not smaller. */
  private static ByteString delta(ServedVersion version, int index, WeightValues base) {
    ChunkLayout layout = version.layout();
    int tensor = layout.tensor(index);
    byte[] payload =
        ChunkDelta.encode(
            version.values().tensor(tensor),
            base.tensor(tensor),
            layout.offsetInTensor(index),
            layout.length(index),
            version.dtype());
    if (payload == null) {
      return ByteString.emptyByteString();
    }
    ByteBuffer b =
        ByteBuffer.allocate(LENGTH_FIELD + CHUNK_HEADER + payload.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    CRC32C crc = new CRC32C();
    crc.update(payload);
    b.putInt(CHUNK_HEADER + payload.length).put(DELTA).putInt(index).putInt((int) crc.getValue());
    b.put(payload);
    return ByteString.fromArrayUnsafe(b.array());
  }

  /** Chunk {@code index} of a version, encoded and checksummed. */
  static ByteString chunk(ServedVersion version, int index) {
    ChunkLayout layout = version.layout();
    byte[] bytes =
        new byte[LENGTH_FIELD + CHUNK_HEADER + layout.length(index) * version.dtype().bytes()];
    chunkInto(version, index, bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  /**
   * Writes chunk {@code index}'s frame at the start of {@code into} (at least {@link
   * #maxChunkFrame} bytes, reused from frame to frame) and returns its length.
   */
  static int chunkInto(ServedVersion version, int index, byte[] into) {
    ChunkLayout layout = version.layout();
    int n = layout.length(index);
    int payload = n * version.dtype().bytes();
    ByteBuffer b = ByteBuffer.wrap(into, 0, LENGTH_FIELD + CHUNK_HEADER + payload);
    b.order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(CHUNK_HEADER + payload).put(CHUNK).putInt(index);
    int crcAt = b.position();
    b.putInt(0);
    int payloadAt = b.position();
    version
        .dtype()
        .encode(
            version.values().tensor(layout.tensor(index)),
            layout.offsetInTensor(index),
            n,
            b.slice());
    long crc = version.crcs().get(index);
    if (crc < 0) {
      CRC32C c = new CRC32C();
      c.update(into, payloadAt, payload);
      crc = c.getValue();
      version.crcs().remember(index, crc);
    }
    b.putInt(crcAt, (int) crc);
    return payloadAt + payload;
  }
}
