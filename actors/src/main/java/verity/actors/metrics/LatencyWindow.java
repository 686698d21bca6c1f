package verity.actors.metrics;

import java.util.Arrays;

/**
 * The latencies of the most recent operations (checks, batches, steps, lease waits), for p50 and
 * p99 without unbounded memory. Not thread-safe: one actor owns each window.
 */
public final class LatencyWindow {
  private final double[] ring;
  private int size;
  private int next;

  public LatencyWindow(int capacity) {
    this.ring = new double[capacity];
  }

  public void add(double millis) {
    ring[next] = millis;
    next = (next + 1) % ring.length;
    size = Math.min(size + 1, ring.length);
  }

  /** The q-quantiles (each 0..1) of the window from one sort, all 0 when empty. */
  public double[] quantiles(double... qs) {
    double[] out = new double[qs.length];
    if (size == 0) {
      return out;
    }
    double[] sorted = Arrays.copyOf(ring, size);
    Arrays.sort(sorted);
    for (int i = 0; i < qs.length; i++) {
      out[i] = sorted[(int) Math.min(size - 1, Math.floor(qs[i] * size))];
    }
    return out;
  }
}
