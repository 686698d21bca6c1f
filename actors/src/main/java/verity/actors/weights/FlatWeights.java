package verity.actors.weights;

import java.util.List;
import verity.actors.ids.PolicyVersion;

/**
 * A whole policy version in one flat array, as exported from a model and imported into a replica.
 * It never travels as one message: the weight plane ({@link verity.actors.weights.plane}) streams
 * it in checksummed chunks, tensor by tensor.
 */
public record FlatWeights(WeightsHeader header, float[] values) {

  public FlatWeights {
    if (values.length != header.totalLength()) {
      throw new IllegalArgumentException(
          "header says " + header.totalLength() + " values, got " + values.length);
    }
  }

  /** Builds a header (with a fresh checksum) for these values. */
  public static FlatWeights of(
      PolicyVersion version, List<String> names, List<int[]> shapes, float[] values) {
    return new FlatWeights(
        new WeightsHeader(version, names, shapes, values.length, WeightsChecksum.of(values)),
        values);
  }

  public PolicyVersion version() {
    return header.version();
  }

  /** The same values under another version's name (a resume republishes its checkpoint so). */
  public FlatWeights as(PolicyVersion version) {
    WeightsHeader h = header;
    return new FlatWeights(
        new WeightsHeader(version, h.names(), h.shapes(), h.totalLength(), h.checksum()), values);
  }

  /** True when the values still match the header's checksum. */
  public boolean checksumMatches() {
    return WeightsChecksum.of(values) == header.checksum();
  }
}
