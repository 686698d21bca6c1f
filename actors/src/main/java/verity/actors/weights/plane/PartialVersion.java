package verity.actors.weights.plane;

import akka.util.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.zip.CRC32C;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.ChecksumMismatchException;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightValues;
import verity.actors.weights.WeightsChecksum;
import verity.actors.weights.WeightsHeader;

/**
 * A version a follower is receiving: chunks arrive in order into its tensors' arrays, each checked
 * against its CRC32C, and the version's checksum is kept running over what arrived, so the whole is
 * verified with no second pass. Chunks that arrived can be relayed at once ({@link #arrival}). One
 * stream feeds it at a time; a stream that breaks is resumed at {@link #received()}.
 *
 * <p>A follower that holds an earlier version starts from a copy of it (its {@link #base()}), and a
 * chunk may then arrive as the difference from it; the checksum covers the values it ends up with
 * either way.
 */
public final class PartialVersion implements ServedVersion {
  private final WeightsHeader header;
  private final ChunkLayout layout;
  private final WireDtype dtype;
  private final WeightValues values;
  private final CompletableFuture<Void>[] arrivals;
  private final ChunkCrcs crcs;
  private final FlatWeights base;
  private final DeltaFrames deltas;
  private long running; // CRC32C of the values received so far
  private volatile int received;

  /** Thrown when a frame's payload does not match its CRC32C: the stream resumes at that chunk. */
  public static final class CorruptChunkException extends RuntimeException {
    CorruptChunkException(String message) {
      super(message);
    }
  }

  /** Thrown when the server does not hold the version asked for. */
  public static final class VersionGoneException extends RuntimeException {
    VersionGoneException(String message) {
      super(message);
    }
  }

  /** A version received whole. */
  public PartialVersion(WeightsHeader header, int chunkValues, WireDtype dtype) {
    this(header, chunkValues, dtype, null);
  }

  /**
   * A version received as the difference from {@code base} where the server can send it so (the
   * values the follower holds, as it holds them; null or of another layout: received whole).
   */
  @SuppressWarnings("unchecked")
  public PartialVersion(WeightsHeader header, int chunkValues, WireDtype dtype, FlatWeights base) {
    this.header = header;
    this.layout = new ChunkLayout(header, chunkValues);
    this.dtype = dtype;
    this.base = base != null && base.header().sameLayout(header) ? base : null;
    this.values =
        this.base != null ? this.base.values().copy() : WeightValues.zeros(header.shapes());
    this.deltas = new DeltaFrames(layout.count());
    this.arrivals = pending(layout.count());
    this.crcs = new ChunkCrcs(layout.count());
  }

  @Override
  public WeightsHeader header() {
    return header;
  }

  @Override
  public ChunkLayout layout() {
    return layout;
  }

  @Override
  public WireDtype dtype() {
    return dtype;
  }

  @Override
  public WeightValues values() {
    return values;
  }

  @Override
  public CompletionStage<Void> arrival(int index) {
    return arrivals[index];
  }

  @Override
  public ChunkCrcs crcs() {
    return crcs;
  }

  @Override
  public FlatWeights base() {
    return base;
  }

  @Override
  public DeltaFrames deltas() {
    return deltas;
  }

  /** The version this one starts from, null when it is received whole. */
  public PolicyVersion baseVersion() {
    return base == null ? null : base.version();
  }

  /** Chunks received so far, which is also the index of the next one expected. */
  public int received() {
    return received;
  }

  public boolean isComplete() {
    return received == layout.count();
  }

  /**
   * Takes the next frame of a stream; true once the last chunk is in.
   *
   * @throws VersionGoneException when the server does not hold this version
   * @throws CorruptChunkException when the chunk's payload fails its CRC32C
   */
  public boolean accept(ByteString frame) {
    return accept(ByteBuffer.wrap(frame.toArrayUnsafe()));
  }

  /**
   * {@link #accept(ByteString)} for a frame between {@code b}'s position and limit, over an array
   * that the caller may reuse once this returns.
   */
  boolean accept(ByteBuffer b) {
    b.order(ByteOrder.LITTLE_ENDIAN);
    b.getInt();
    byte type = b.get();
    if (type == PlaneFrames.GONE) {
      throw new VersionGoneException("the weight server no longer holds " + header.version());
    }
    boolean delta = type == PlaneFrames.DELTA;
    if (type != PlaneFrames.CHUNK && !delta) {
      throw new PlaneFrames.PlaneProtocolException("unexpected weight-plane frame type " + type);
    }
    if (delta && base == null) {
      throw new PlaneFrames.PlaneProtocolException(
          "a difference frame for " + header.version() + ", which is received whole");
    }
    int index = b.getInt();
    int crc = b.getInt();
    int next = received;
    if (index != next) {
      throw new PlaneFrames.PlaneProtocolException(
          "expected chunk " + next + " of " + header.version() + ", got " + index);
    }
    int n = layout.length(index);
    if (!delta && b.remaining() != n * dtype.bytes()) {
      throw new PlaneFrames.PlaneProtocolException(
          "chunk " + index + " of " + header.version() + " has " + b.remaining() + " bytes");
    }
    CRC32C check = new CRC32C();
    check.update(b.array(), b.position(), b.remaining());
    if ((int) check.getValue() != crc) {
      throw new CorruptChunkException(
          "chunk " + index + " of " + header.version() + " fails its CRC32C");
    }
    float[] values = this.values.tensor(layout.tensor(index));
    int offset = layout.offsetInTensor(index);
    long frameCrc = check.getValue();
    if (delta) {
      ChunkDelta.apply(b, values, offset, n, dtype);
      CRC32C held = new CRC32C();
      WeightsChecksum.update(held, values, offset, n);
      running = Crc32cCombine.combine(running, held.getValue(), (long) n * Float.BYTES);
    } else if (dtype == WireDtype.FLOAT32) {
      // The wire bytes are the values it holds: fold the chunk's checksum into the running one.
      running = Crc32cCombine.combine(running, frameCrc, (long) n * Float.BYTES);
      dtype.decode(b, values, offset, n);
    } else {
      dtype.decode(b, values, offset, n);
      CRC32C held = new CRC32C();
      WeightsChecksum.update(held, values, offset, n);
      running = Crc32cCombine.combine(running, held.getValue(), (long) n * Float.BYTES);
    }
    if (!delta) {
      crcs.remember(index, frameCrc); // a relay sends this chunk whole with the same CRC
    }
    received = next + 1;
    arrivals[index].complete(null);
    return received == layout.count();
  }

  /**
   * The whole version once every chunk is in and the running checksum matches the header's.
   *
   * @throws ChecksumMismatchException when it does not
   */
  public FlatWeights finish() {
    if (!isComplete()) {
      throw new IllegalStateException(
          received + " of " + layout.count() + " chunks of " + header.version() + " received");
    }
    if (running != header.checksum()) {
      throw new ChecksumMismatchException(header, running);
    }
    return new FlatWeights(header, values);
  }

  /** Gives the version up: relays waiting for chunks that will not come stop waiting. */
  public void abandon() {
    VersionGoneException gone =
        new VersionGoneException("the follower gave up " + header.version());
    for (CompletableFuture<Void> a : arrivals) {
      a.completeExceptionally(gone);
    }
  }

  /** One arrival to wait for per chunk (an array of a generic type cannot be made otherwise). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static CompletableFuture<Void>[] pending(int chunks) {
    CompletableFuture<Void>[] arrivals = new CompletableFuture[chunks];
    for (int i = 0; i < chunks; i++) {
      arrivals[i] = new CompletableFuture<>();
    }
    return arrivals;
  }
}
