package verity.actors.weights;

import java.util.List;
import verity.actors.ids.PolicyVersion;

/**
 * A whole policy version, as exported from a model and imported into a replica: its header and its
 * values, one array per tensor ({@link WeightValues}). It never travels as one message: the weight
 * plane ({@link verity.actors.weights.plane}) streams it in checksummed chunks, tensor by tensor.
 */
public record FlatWeights(WeightsHeader header, WeightValues values) {

  public FlatWeights {
    if (values.tensorCount() != header.shapes().size()) {
      throw new IllegalArgumentException(
          "header names " + header.shapes().size() + " tensors, got " + values.tensorCount());
    }
    for (int i = 0; i < values.tensorCount(); i++) {
      if (!values.fits(i, header.shapes().get(i))) {
        throw new IllegalArgumentException(
            "tensor "
                + header.names().get(i)
                + " holds "
                + values.tensor(i).length
                + " values, its shape "
                + WeightsHeader.elements(header.shapes().get(i)));
      }
    }
  }

  /** Builds a header (with a fresh checksum) for these values. */
  public static FlatWeights of(
      PolicyVersion version, List<String> names, List<int[]> shapes, WeightValues values) {
    return new FlatWeights(
        new WeightsHeader(version, names, shapes, values.length(), WeightsChecksum.of(values)),
        values);
  }

  /** Builds a header for a flat array cut into tensors of these shapes (small models, tests). */
  public static FlatWeights of(
      PolicyVersion version, List<String> names, List<int[]> shapes, float[] flat) {
    return of(version, names, shapes, WeightValues.split(flat, shapes));
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
