package verity.actors.weights.plane;

import akka.util.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import verity.actors.ids.PolicyVersion;

/**
 * The weight plane's frames, each preceded by its length (4 bytes, little-endian, not counting
 * itself). A follower sends one request (which version, from which chunk); the server answers with
 * that version's chunks in order, each with the CRC32C of its payload, or with one "gone" frame
 * when it does not hold the version.
 */
final class PlaneFrames {
  static final byte REQUEST = 1;
  static final byte CHUNK = 2;
  static final byte GONE = 3;

  static final int LENGTH_FIELD = 4;
  private static final int REQUEST_BODY = 1 + 8 + 8 + 4;
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

  record Request(PolicyVersion version, int from) {}

  static ByteString request(PolicyVersion version, int from) {
    ByteBuffer b = ByteBuffer.allocate(LENGTH_FIELD + REQUEST_BODY).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(REQUEST_BODY).put(REQUEST).putLong(version.epoch()).putLong(version.value());
    b.putInt(from);
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
    if (epoch < 0 || value < 0 || from < 0) {
      throw new PlaneProtocolException("a weight-plane request with a negative field");
    }
    return new Request(new PolicyVersion(epoch, value), from);
  }

  static ByteString gone() {
    ByteBuffer b = ByteBuffer.allocate(LENGTH_FIELD + 1).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1).put(GONE);
    return ByteString.fromArrayUnsafe(b.array());
  }

  /** The largest chunk frame of a layout sent as {@code dtype}. */
  static int maxChunkFrame(ChunkLayout layout, WireDtype dtype) {
    return LENGTH_FIELD + CHUNK_HEADER + layout.maxLength() * dtype.bytes();
  }

  /** Chunk {@code index} of a version, encoded and checksummed. */
  static ByteString chunk(ServedVersion version, int index) {
    ChunkLayout layout = version.layout();
    int n = layout.length(index);
    int payload = n * version.dtype().bytes();
    byte[] bytes = new byte[LENGTH_FIELD + CHUNK_HEADER + payload];
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(CHUNK_HEADER + payload).put(CHUNK).putInt(index);
    int crcAt = b.position();
    b.putInt(0);
    int payloadAt = b.position();
    version.dtype().encode(version.values(), Math.toIntExact(layout.offset(index)), n, b.slice());
    long crc = version.crcs().get(index);
    if (crc < 0) {
      CRC32C c = new CRC32C();
      c.update(bytes, payloadAt, payload);
      crc = c.getValue();
      version.crcs().remember(index, crc);
    }
    b.putInt(crcAt, (int) crc);
    return ByteString.fromArrayUnsafe(bytes);
  }
}
