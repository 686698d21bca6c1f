package verity.actors.weights.plane;

import java.util.ArrayList;
import java.util.List;
import verity.actors.weights.WeightsHeader;

/**
 * How a version is cut into chunks for the weight plane: each tensor, in the header's order, into
 * pieces of at most {@code chunkValues} values; a chunk never spans two tensors. Store and follower
 * compute the same layout from the header, so a chunk on the wire needs only its index.
 */
public final class ChunkLayout {
  private final long[] offsets;
  private final int[] lengths;
  private final int[] tensors;
  private final int[] within;
  private final long totalValues;

  public ChunkLayout(WeightsHeader header, int chunkValues) {
    if (chunkValues <= 0) {
      throw new IllegalArgumentException("chunk size must be > 0, got " + chunkValues);
    }
    List<long[]> chunks = new ArrayList<>();
    long offset = 0;
    for (int t = 0; t < header.shapes().size(); t++) {
      long size = WeightsHeader.elements(header.shapes().get(t));
      for (long from = 0; from < size; from += chunkValues) {
        chunks.add(new long[] {offset + from, Math.min(chunkValues, size - from), t, from});
      }
      offset += size;
    }
    offsets = new long[chunks.size()];
    lengths = new int[chunks.size()];
    tensors = new int[chunks.size()];
    within = new int[chunks.size()];
    for (int i = 0; i < chunks.size(); i++) {
      offsets[i] = chunks.get(i)[0];
      lengths[i] = (int) chunks.get(i)[1];
      tensors[i] = (int) chunks.get(i)[2];
      within[i] = (int) chunks.get(i)[3];
    }
    totalValues = offset;
  }

  /** The number of chunks (0 for a version without values). */
  public int count() {
    return offsets.length;
  }

  /** Where chunk {@code index} starts in the version's flat layout. */
  public long offset(int index) {
    return offsets[index];
  }

  /** Where chunk {@code index} starts in its tensor's values. */
  public int offsetInTensor(int index) {
    return within[index];
  }

  /** How many values chunk {@code index} holds. */
  public int length(int index) {
    return lengths[index];
  }

  /** Which tensor (index into the header's names) chunk {@code index} belongs to. */
  public int tensor(int index) {
    return tensors[index];
  }

  /** The largest chunk's length, for sizing buffers and frames. */
  public int maxLength() {
    int max = 0;
    for (int n : lengths) {
      max = Math.max(max, n);
    }
    return max;
  }

  public long totalValues() {
    return totalValues;
  }
}
