package verity.actors.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import verity.actors.protocol.WeightsProtocol.WeightsChunk;

/** Splits a version into chunks small enough for one remote message each. */
public final class WeightsChunker {
  private WeightsChunker() {}

  public static List<WeightsChunk> split(FlatWeights weights, int chunkValues) {
    if (chunkValues <= 0) {
      throw new IllegalArgumentException("chunk size must be > 0, got " + chunkValues);
    }
    float[] values = weights.values();
    int count = Math.max(1, (values.length + chunkValues - 1) / chunkValues);
    List<WeightsChunk> chunks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = i * chunkValues;
      int to = Math.min(values.length, from + chunkValues);
      chunks.add(
          new WeightsChunk(weights.header(), i, count, from, Arrays.copyOfRange(values, from, to)));
    }
    return chunks;
  }
}
