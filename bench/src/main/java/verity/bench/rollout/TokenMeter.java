package verity.bench.rollout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records when each stream (a rollout worker, or a thread of the plain loop) finished a batch and
 * how many tokens it generated, and turns that into tokens per second over a window. The rate is
 * summed over streams, each measured from its first to its last batch inside the window, so that a
 * batch that straddles an edge of the window is neither half counted nor spread over time it did
 * not take; both sides of the comparison are measured this way.
 */
public final class TokenMeter {
  private record Batch(long nanos, long tokens) {}

  private record Busy(long nanos, double millis) {}

  private final Map<String, List<Batch>> streams = new HashMap<>();
  private final Map<String, List<Busy>> busy = new HashMap<>();

  /** A batch of {@code tokens} generated tokens finished now on {@code stream}. */
  public synchronized void record(String stream, long tokens) {
    streams
        .computeIfAbsent(stream, s -> new ArrayList<>())
        .add(new Batch(System.nanoTime(), tokens));
  }

  /**
   * {@code stream}'s compute thread spent {@code millis} generating its latest batch (reported
   * around the time the batch is recorded); for the share of the window the model was busy.
   */
  public synchronized void busy(String stream, double millis) {
    busy.computeIfAbsent(stream, s -> new ArrayList<>()).add(new Busy(System.nanoTime(), millis));
  }

  /** The streams that finished at least one batch so far. */
  public synchronized int streams() {
    return streams.size();
  }

  /**
   * Tokens per second in {@code [fromNanos, toNanos]}: for each stream, the tokens of the batches
   * it finished after its first batch in the window, up to its last one, over the time between
   * those two; summed over streams.
   *
   * @throws IllegalStateException when a stream finished fewer than two batches in the window, or
   *     the window holds no stream at all: the window is too short to measure
   */
  public synchronized Rate rate(long fromNanos, long toNanos) {
    double perSecond = 0;
    long tokens = 0;
    long batches = 0;
    double busyMillis = 0;
    long busyBatches = 0;
    double spanMillis = 0;
    for (Map.Entry<String, List<Batch>> e : streams.entrySet()) {
      List<Batch> in =
          e.getValue().stream()
              .filter(b -> b.nanos() >= fromNanos && b.nanos() <= toNanos)
              .toList();
      if (in.size() < 2) {
        throw new IllegalStateException(
            e.getKey()
                + " finished "
                + in.size()
                + " batch(es) in the "
                + (toNanos - fromNanos) / 1_000_000
                + " ms window; at least 2 are needed");
      }
      long streamTokens = 0;
      for (int i = 1; i < in.size(); i++) {
        streamTokens += in.get(i).tokens();
      }
      long first = in.get(0).nanos();
      long last = in.get(in.size() - 1).nanos();
      double seconds = (last - first) / 1e9;
      List<Busy> reports = busy.getOrDefault(e.getKey(), List.of());
      if (!reports.isEmpty()) {
        // Each counted batch takes the generation time reported nearest to its arrival: the report
        // and the batch travel separately, and long batches of uneven length make a window's edge
        // a poor way to pair them.
        for (int i = 1; i < in.size(); i++) {
          busyMillis += nearest(reports, in.get(i).nanos()).millis();
          busyBatches++;
        }
      }
      spanMillis += seconds * 1e3;
      perSecond += streamTokens / seconds;
      tokens += streamTokens;
      batches += in.size() - 1;
    }
    if (streams.isEmpty()) {
      throw new IllegalStateException("no batch finished in the window");
    }
    return new Rate(
        perSecond,
        tokens,
        batches,
        streams.size(),
        busy.isEmpty() ? Double.NaN : busyMillis / spanMillis,
        busyBatches == 0 ? Double.NaN : busyMillis / busyBatches);
  }

  /** The report recorded nearest in time to {@code nanos}; {@code reports} are in time order. */
  private static Busy nearest(List<Busy> reports, long nanos) {
    int lo = 0;
    int hi = reports.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (reports.get(mid).nanos() < nanos) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    Busy after = reports.get(lo);
    Busy before = lo > 0 ? reports.get(lo - 1) : after;
    return nanos - before.nanos() <= after.nanos() - nanos ? before : after;
  }

  /**
   * A measured rate.
   *
   * @param tokensPerSecond generated tokens per second, summed over streams
   * @param tokens the tokens counted
   * @param batches the batches counted
   * @param streams the streams that ran
   * @param busy the share of the streams' time their compute threads spent generating (about: the
   *     reports of a batch's generation time and the batch arrive separately); NaN when unknown
   * @param batchMillis the mean time a batch took to generate on its compute thread; NaN when
   *     unknown
   */
  public record Rate(
      double tokensPerSecond,
      long tokens,
      long batches,
      int streams,
      double busy,
      double batchMillis) {}
}
