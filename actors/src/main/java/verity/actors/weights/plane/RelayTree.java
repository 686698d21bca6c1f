package verity.actors.weights.plane;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides where each replica streams a version from: with fan-out k, the store serves the first k
 * replicas that ask, and replica n (counted from 1 in the order they asked) streams from replica
 * {@code (n - 1) / k} (0 being the store), so no node sends a version more than k times however
 * many replicas there are. Replicas that do not relay, and every replica when k is 0, stream from
 * the store. The order starts anew with each version.
 */
public final class RelayTree {
  private final int fanout;
  private final List<PlaneAddress> order = new ArrayList<>();

  public RelayTree(int fanout) {
    if (fanout < 0) {
      throw new IllegalArgumentException("relay fan-out must be >= 0, got " + fanout);
    }
    this.fanout = fanout;
  }

  /** A new version: replicas are placed again in the order they ask for it. */
  public void reset() {
    order.clear();
  }

  /** Where {@code replica} (null when it does not relay) streams the current version from. */
  public PlaneAddress upstreamFor(PlaneAddress replica, PlaneAddress store) {
    if (fanout == 0 || replica == null) {
      return store;
    }
    int at = order.indexOf(replica);
    if (at < 0) {
      order.add(replica);
      at = order.size() - 1;
    }
    int parent = at / fanout; // 1-based n = at + 1; parent (n - 1) / k, 0 = the store
    return parent == 0 ? store : order.get(parent - 1);
  }
}
