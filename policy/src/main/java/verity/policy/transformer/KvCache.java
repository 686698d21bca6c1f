package verity.policy.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The keys and values every layer has computed so far for a batch of sequences, after rotary
 * embedding ({@code [N, kvHeads, S, headDim]} per layer), so that decoding a token attends to them
 * instead of recomputing the whole prefix. It owns its arrays in its own manager; closing it frees
 * them.
 */
public final class KvCache implements AutoCloseable {
  /** The first capacity, in positions; it doubles whenever an append would not fit. */
  private static final long FIRST_CAPACITY = 16;

  private final NDManager manager;

  /** Per layer, {@code [N, kvHeads, capacity, headDim]}: positions past {@link #length} unused. */
  private final NDArray[] keys;

  private final NDArray[] values;

  /** Per layer, the views of the held positions handed out last; closed at the next append. */
  private final NDArray[][] views;

  /** Per layer, the positions held. */
  private final long[] lengths;

  public KvCache(NDManager parent, int layers) {
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
    this.views = new NDArray[layers][];
    this.lengths = new long[layers];
  }

  /** Positions held: the length every layer has after the last forward pass. */
  public long length() {
    return lengths[lengths.length - 1];
  }

  /** The view of one layer's part of this cache that its attention appends to. */
  LayerCache layer(int layer) {
    return new LayerCache(this, layer);
  }

  /** One layer's keys and values in a {@link KvCache}. */
  record LayerCache(KvCache cache, int layer) {
    /** Appends the layer's new keys and values and returns all of them (see the cache). */
    NDArray[] append(NDArray newKeys, NDArray newValues) {
      return cache.append(layer, newKeys, newValues);
    }
  }

  /**
   * Writes a layer's new keys and values after the positions it holds and returns views of all of
   * them (valid until the next append); the arrays given are closed. The storage grows by doubling,
   * so a decode of L tokens allocates log2(L) times per layer instead of L times: a cache that grew
   * by concatenation asked the allocator for a slightly larger block at every token, and glibc kept
   * the freed ones (an evaluator of 100 sequences at 500M parameters grew by 3 GiB so).
   */
  private NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
    long held = lengths[layer];
    long added = newKeys.getShape().get(2);
    long needed = held + added;
    if (keys[layer] == null || keys[layer].getShape().get(2) < needed) {
      long capacity = keys[layer] == null ? FIRST_CAPACITY : keys[layer].getShape().get(2);
      while (capacity < needed) {
        capacity *= 2;
      }
      keys[layer] = grown(keys[layer], newKeys, held, capacity);
      values[layer] = grown(values[layer], newValues, held, capacity);
    }
    NDIndex fresh = new NDIndex(":, :, {}:{}", held, needed);
    keys[layer].set(fresh, newKeys);
    values[layer].set(fresh, newValues);
    newKeys.close();
    newValues.close();
    lengths[layer] = needed;
    if (views[layer] != null) {
      views[layer][0].close();
      views[layer][1].close();
    }
    NDIndex all = new NDIndex(":, :, :{}", needed);
    views[layer] = new NDArray[] {keys[layer].get(all), values[layer].get(all)};
    return views[layer];
  }

  /** A storage of {@code capacity} positions shaped like {@code like}, holding {@code old}'s. */
  private NDArray grown(NDArray old, NDArray like, long held, long capacity) {
    Shape s = like.getShape();
    NDArray bigger =
        manager.zeros(
            new Shape(s.get(0), s.get(1), capacity, s.get(3)),
            like.getDataType(),
            like.getDevice());
    if (old != null) {
      if (held > 0) {
        NDIndex prefix = new NDIndex(":, :, :{}", held);
        try (NDArray kept = old.get(prefix)) {
          bigger.set(prefix, kept);
        }
      }
      old.close();
    }
    return bigger;
  }

  @Override
  public void close() {
    manager.close();
  }
}
