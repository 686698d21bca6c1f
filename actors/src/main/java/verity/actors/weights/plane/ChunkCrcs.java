package verity.actors.weights.plane;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The CRC32C of each chunk of a version as sent, remembered once known so that a store or relay
 * computes it once however many followers ask. Thread-safe; two threads computing the same chunk's
 * CRC at once store the same value.
 */
public final class ChunkCrcs {
  private final AtomicLongArray crcs;

  ChunkCrcs(int chunks) {
    crcs = new AtomicLongArray(chunks);
    for (int i = 0; i < chunks; i++) {
      crcs.set(i, -1);
    }
  }

  /** Chunk {@code index}'s CRC32C, or -1 before anyone computed it. */
  public long get(int index) {
    return crcs.get(index);
  }

  public void remember(int index, long crc) {
    crcs.set(index, crc);
  }
}
