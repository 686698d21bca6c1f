package verity.actors.weights.plane;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLongArray;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightsHeader;

/**
 * A version a weight-plane server can send: the store's complete one, or one a follower is still
 * receiving and relays as its chunks arrive.
 */
public interface ServedVersion {
  WeightsHeader header();

  ChunkLayout layout();

  WireDtype dtype();

  /** The values, laid out as the header says; a chunk may be read once its arrival completed. */
  float[] values();

  /**
   * Completes when chunk {@code index} is in {@link #values()}; fails when this copy will never
   * hold it (the follower gave the version up).
   */
  CompletionStage<Void> arrival(int index);

  /** The CRC32C of chunk {@code index} as sent, or -1 before anyone computed it. */
  long chunkCrc(int index);

  /** Remembers chunk {@code index}'s CRC32C, so that it is computed once however many ask. */
  void rememberCrc(int index, long crc);

  /** A version whose values are all present, as the store holds it. */
  static ServedVersion complete(FlatWeights weights, int chunkValues, WireDtype dtype) {
    ChunkLayout layout = new ChunkLayout(weights.header(), chunkValues);
    return new Complete(weights.header(), layout, dtype, weights.values(), Crcs.unknown(layout));
  }

  /** The store's copy: every chunk present from the start. */
  record Complete(
      WeightsHeader header,
      ChunkLayout layout,
      WireDtype dtype,
      float[] values,
      AtomicLongArray crcs)
      implements ServedVersion {
    private static final CompletionStage<Void> PRESENT = CompletableFuture.completedFuture(null);

    @Override
    public CompletionStage<Void> arrival(int index) {
      return PRESENT;
    }

    @Override
    public long chunkCrc(int index) {
      return crcs.get(index);
    }

    @Override
    public void rememberCrc(int index, long crc) {
      crcs.set(index, crc);
    }
  }

  /** Per-chunk CRC32Cs, all unknown (-1) at first. */
  final class Crcs {
    private Crcs() {}

    static AtomicLongArray unknown(ChunkLayout layout) {
      AtomicLongArray crcs = new AtomicLongArray(layout.count());
      for (int i = 0; i < layout.count(); i++) {
        crcs.set(i, -1);
      }
      return crcs;
    }
  }
}
