package verity.actors.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import verity.actors.protocol.WeightsProtocol.WeightsChunk;

/**
 * Cuts a version into chunks small enough for one remote message each, one at a time as they are
 * asked for, so that a store keeps no second copy of the weights.
 */
public final class WeightsChunker {
  private WeightsChunker() {}

  /** How many chunks of {@code chunkValues} values this version makes (at least one). */
  public static int count(FlatWeights weights, int chunkValues) {
    if (chunkValues <= 0) {
      throw new IllegalArgumentException("chunk size must be > 0, got " + chunkValues);
    }
    long n = ((long) weights.values().length + chunkValues - 1) / chunkValues;
    return Math.max(1, Math.toIntExact(n));
  }

  /** Chunk {@code index} of this version. */
  public static WeightsChunk chunk(FlatWeights weights, int index, int chunkValues) {
    int count = count(weights, chunkValues);
    if (index < 0 || index >= count) {
      throw new IllegalArgumentException("chunk " + index + " of " + count);
    }
    float[] values = weights.values();
    int from = Math.toIntExact((long) index * chunkValues);
    int to = Math.min(values.length, from + chunkValues);
    return new WeightsChunk(
        weights.header(), index, count, from, Arrays.copyOfRange(values, from, to));
  }

  /** Every chunk of this version (tests and benchmarks). */
  public static List<WeightsChunk> split(FlatWeights weights, int chunkValues) {
    int count = count(weights, chunkValues);
    List<WeightsChunk> chunks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      chunks.add(chunk(weights, i, chunkValues));
    }
    return chunks;
  }
}
