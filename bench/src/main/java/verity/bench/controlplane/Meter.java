package verity.bench.controlplane;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one rung of the control-plane benchmark counts: leases received by the simulated workers and
 * how long each request waited for them, trajectories taken by the simulated verifiers, verdicts
 * delivered to the learner stand-in, and leases it settled after the training ledger journaled
 * their step. Only what happens while the meter is open counts, so that start-up and warm-up are
 * left out.
 *
 * <p>Shared by the rig's actors on purpose (a benchmark's instrument, not a protocol): counting
 * through an actor would add a message per event to what is measured. Counters are {@link
 * LongAdder}s; latencies go into one growable array under a lock, at most a few thousand a second.
 */
public final class Meter {
  private volatile boolean open;
  private volatile long openedNanos;
  private volatile long closedNanos;
  private final LongAdder leases = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder trajectories = new LongAdder();
  private final LongAdder verdicts = new LongAdder();
  private final LongAdder settled = new LongAdder();
  private final LongAdder steps = new LongAdder();
  private long[] latencies = new long[1 << 14];
  private int latencyCount;

  /** Starts counting. */
  public void open() {
    openedNanos = System.nanoTime();
    open = true;
  }

  /** Stops counting. */
  public void close() {
    open = false;
    closedNanos = System.nanoTime();
  }

  /** A request was answered with {@code n} leases after {@code nanos}. */
  public void leased(int n, long nanos) {
    if (!open) {
      return;
    }
    requests.increment();
    leases.add(n);
    synchronized (this) {
      if (latencyCount == latencies.length) {
        latencies = Arrays.copyOf(latencies, latencies.length * 2);
      }
      latencies[latencyCount++] = nanos;
    }
  }

  /** A verifier took {@code n} trajectories. */
  public void offered(int n) {
    if (open) {
      trajectories.add(n);
    }
  }

  /** The learner stand-in received {@code n} scored trajectories. */
  public void scored(int n) {
    if (open) {
      verdicts.add(n);
    }
  }

  /** A step's {@code n} leases were journaled and settled. */
  public void settled(int n) {
    if (open) {
      settled.add(n);
      steps.increment();
    }
  }

  /** What was counted between {@link #open()} and {@link #close()}. */
  public synchronized Reading read() {
    double seconds = (closedNanos - openedNanos) / 1e9;
    long[] sorted = Arrays.copyOf(latencies, latencyCount);
    Arrays.sort(sorted);
    return new Reading(
        seconds,
        requests.sum(),
        leases.sum(),
        trajectories.sum(),
        verdicts.sum(),
        settled.sum(),
        steps.sum(),
        percentileMillis(sorted, 0.50),
        percentileMillis(sorted, 0.99),
        sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6);
  }

  private static double percentileMillis(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int at = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return sorted[Math.max(0, at)] / 1e6;
  }

  /**
   * One rung's counts over {@code seconds}; lease latency is from {@code RequestTasks} sent to
   * {@code Leases} received, in milliseconds.
   */
  public record Reading(
      double seconds,
      long requests,
      long leases,
      long trajectories,
      long verdicts,
      long settled,
      long steps,
      double p50Millis,
      double p99Millis,
      double maxMillis) {

    public double leasesPerSecond() {
      return leases / seconds;
    }

    public double trajectoriesPerSecond() {
      return trajectories / seconds;
    }

    public double verdictsPerSecond() {
      return verdicts / seconds;
    }

    public double settledPerSecond() {
      return settled / seconds;
    }
  }
}
