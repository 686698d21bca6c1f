package verity.actors.weights.plane;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightValues;
import verity.actors.weights.WeightsHeader;

/**
 * A version a weight-plane server can send: the store's complete one, or one a follower is still
 * receiving and relays as its chunks arrive.
 */
public interface ServedVersion {
  WeightsHeader header();

  ChunkLayout layout();

  WireDtype dtype();

  /** The values, tensor by tensor; a chunk may be read once its arrival completed. */
  WeightValues values();

  /**
   * Completes when chunk {@code index} is in {@link #values()}; fails when this copy will never
   * hold it (the follower gave the version up).
   */
  CompletionStage<Void> arrival(int index);

  /** The chunks' CRC32Cs as sent, filled in as they become known. */
  ChunkCrcs crcs();

  /**
   * The version followers that hold it receive this one as a difference from (its values as they
   * hold them, rounded or not), or null when this version is sent whole only.
   */
  FlatWeights base();

  /** The difference frames from {@link #base()}, filled in as they are built. */
  DeltaFrames deltas();

  /** A version whose values are all present, as the store holds it, sent whole only. */
  static ServedVersion complete(FlatWeights weights, int chunkValues, WireDtype dtype) {
    return complete(weights, null, chunkValues, dtype);
  }

  /**
   * A version whose values are all present, sent as the difference from {@code base} to followers
   * that hold it ({@code base} null, or of another layout: whole only).
   */
  static ServedVersion complete(
      FlatWeights weights, FlatWeights base, int chunkValues, WireDtype dtype) {
    ChunkLayout layout = new ChunkLayout(weights.header(), chunkValues);
    FlatWeights from = base != null && base.header().sameLayout(weights.header()) ? base : null;
    return new Complete(
        weights.header(),
        layout,
        dtype,
        weights.values(),
        new ChunkCrcs(layout.count()),
        from,
        new DeltaFrames(layout.count()));
  }

  /** The store's copy: every chunk present from the start. */
  record Complete(
      WeightsHeader header,
      ChunkLayout layout,
      WireDtype dtype,
      WeightValues values,
      ChunkCrcs crcs,
      FlatWeights base,
      DeltaFrames deltas)
      implements ServedVersion {
    private static final CompletionStage<Void> PRESENT = CompletableFuture.completedFuture(null);

    @Override
    public CompletionStage<Void> arrival(int index) {
      return PRESENT;
    }
  }
}
