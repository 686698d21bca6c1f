package verity.reward;

import java.util.Arrays;

/** The latencies of the most recent checks, for p50 and p99 without unbounded memory. */
final class LatencyWindow {
  private final double[] ring;
  private int size;
  private int next;

  LatencyWindow(int capacity) {
    this.ring = new double[capacity];
  }

  void add(double millis) {
    ring[next] = millis;
    next = (next + 1) % ring.length;
    size = Math.min(size + 1, ring.length);
  }

  /** The q-quantile (0..1) of the window, 0 when empty. */
  double quantile(double q) {
    if (size == 0) {
      return 0;
    }
    double[] sorted = Arrays.copyOf(ring, size);
    Arrays.sort(sorted);
    return sorted[(int) Math.min(size - 1, Math.floor(q * size))];
  }
}
