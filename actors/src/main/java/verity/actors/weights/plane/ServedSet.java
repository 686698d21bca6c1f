package verity.actors.weights.plane;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;

/**
 * Several complete sets of tensors served side by side under names of their own (a learner's state
 * for a shard, a gradient, a reduced gradient), each until {@code capacity} newer ones have been
 * offered. A request names one exactly and never waits: an item is offered before anyone is told
 * its name. Thread-safe.
 */
public final class ServedSet implements VersionSource {
  private final int capacity;
  private final int chunkValues;
  private final Deque<ServedVersion> items = new ArrayDeque<>();

  public ServedSet(int capacity, int chunkValues) {
    if (capacity < 1 || chunkValues < 1) {
      throw new IllegalArgumentException(
          "a served set needs a capacity and a chunk size of at least 1");
    }
    this.capacity = capacity;
    this.chunkValues = chunkValues;
  }

  /** Serves {@code tensors} (fp32, under its header's version) until {@code capacity} more come. */
  public synchronized void offer(FlatWeights tensors) {
    items.addLast(ServedVersion.complete(tensors, chunkValues, WireDtype.FLOAT32));
    while (items.size() > capacity) {
      items.removeFirst();
    }
  }

  public int chunkValues() {
    return chunkValues;
  }

  /** Whether the set still serves the item named {@code name}. */
  public boolean contains(PolicyVersion name) {
    return lookup(name).isPresent();
  }

  @Override
  public CompletionStage<Optional<ServedVersion>> find(PolicyVersion version, Duration patience) {
    return CompletableFuture.completedFuture(lookup(version));
  }

  private synchronized Optional<ServedVersion> lookup(PolicyVersion name) {
    return items.stream().filter(v -> v.header().version().equals(name)).findFirst();
  }
}
