package verity.policy.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The keys and values every layer has computed so far for a batch of sequences, after rotary
 * embedding ({@code [N, kvHeads, S, headDim]} per layer), so that decoding a token attends to them
 * instead of recomputing the whole prefix. It owns its arrays in its own manager; closing it frees
 * them.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;

  public KvCache(NDManager parent, int layers) {
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
  }

  /** Positions held: the length every layer has after the last forward pass. */
  public long length() {
    NDArray last = keys[keys.length - 1];
    return last == null ? 0 : last.getShape().get(2);
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
   * Appends a layer's new keys and values along the sequence axis and returns the whole of them;
   * the arrays given move into this cache.
   */
  private NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
    newKeys.attach(manager);
    newValues.attach(manager);
    if (keys[layer] == null) {
      keys[layer] = newKeys;
      values[layer] = newValues;
    } else {
      NDArray k = NDArrays.concat(new NDList(keys[layer], newKeys), 2);
      NDArray v = NDArrays.concat(new NDList(values[layer], newValues), 2);
      keys[layer].close();
      values[layer].close();
      newKeys.close();
      newValues.close();
      keys[layer] = k;
      values[layer] = v;
    }
    return new NDArray[] {keys[layer], values[layer]};
  }

  @Override
  public void close() {
    manager.close();
  }
}
