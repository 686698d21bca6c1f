package verity.actors.weights;

import java.util.BitSet;
import java.util.Optional;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.WeightsProtocol.WeightsChunk;

/**
 * Reassembles the chunks of one version on the receiving side. A version is handed out only when
 * every chunk arrived and the checksum of the whole matches its header; chunks of an older version
 * than the one being assembled are ignored, and a newer version replaces an unfinished older one.
 */
public final class WeightsAssembler {
  private WeightsHeader header;
  private float[] values;
  private BitSet received;

  /** Thrown when all chunks arrived but their values do not match the header's checksum. */
  public static final class ChecksumMismatchException extends RuntimeException {
    public ChecksumMismatchException(WeightsHeader header, long actual) {
      super(
          "weights "
              + header.version()
              + ": checksum "
              + Long.toHexString(actual)
              + " does not match header "
              + Long.toHexString(header.checksum()));
    }
  }

  /** The header of the version being assembled, if any. */
  public Optional<WeightsHeader> pendingHeader() {
    return Optional.ofNullable(header);
  }

  /** Chunks of the pending version received so far; 0 when none is pending. */
  public int received() {
    return received == null ? 0 : received.cardinality();
  }

  /** The lowest chunk index of the pending version not yet received; 0 when none is pending. */
  public int firstMissing() {
    return received == null ? 0 : received.nextClearBit(0);
  }

  /** The version being assembled, if any. */
  public Optional<PolicyVersion> pending() {
    return header == null ? Optional.empty() : Optional.of(header.version());
  }

  /**
   * Takes one chunk; returns the whole version once its last chunk arrived and the checksum holds.
   *
   * @throws ChecksumMismatchException when the assembled values are corrupt (the partial state is
   *     dropped, so a retry starts clean)
   */
  public Optional<FlatWeights> offer(WeightsChunk chunk) {
    WeightsHeader h = chunk.header();
    if (header != null && header.version().isNewerThan(h.version())) {
      return Optional.empty();
    }
    if (header == null || !header.equals(h)) {
      header = h;
      values = new float[h.totalLength()];
      received = new BitSet(chunk.count());
    }
    if (chunk.offset() < 0 || chunk.offset() + chunk.data().length > values.length) {
      throw new IllegalArgumentException(
          "chunk " + chunk.index() + " of " + h.version() + " lies outside the weights");
    }
    System.arraycopy(chunk.data(), 0, values, chunk.offset(), chunk.data().length);
    received.set(chunk.index());
    if (received.cardinality() < chunk.count()) {
      return Optional.empty();
    }
    WeightsHeader done = header;
    float[] all = values;
    reset();
    long actual = WeightsChecksum.of(all);
    if (actual != done.checksum()) {
      throw new ChecksumMismatchException(done, actual);
    }
    return Optional.of(new FlatWeights(done, all));
  }

  /** Drops any partially assembled version. */
  public void reset() {
    header = null;
    values = null;
    received = null;
  }
}
