package verity.actors.weights.plane;

import akka.util.ByteString;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Each chunk's difference frame from a version's base, remembered once built so that a store or
 * relay encodes it once however many followers on that base ask (an empty string: the chunk goes
 * whole). Thread-safe; two threads building the same frame at once store equal frames.
 */
public final class DeltaFrames {
  private final AtomicReferenceArray<ByteString> frames;

  DeltaFrames(int chunks) {
    frames = new AtomicReferenceArray<>(chunks);
  }

  /** Chunk {@code index}'s frame, or null before anyone built it. */
  ByteString get(int index) {
    return frames.get(index);
  }

  void remember(int index, ByteString frame) {
    frames.set(index, frame);
  }
}
