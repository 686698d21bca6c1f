package verity.reward;

import verity.actors.metrics.LatencyWindow;
import verity.actors.protocol.TrainingEvent.VerifierReport;
import verity.actors.protocol.Verdict;

/**
 * What a verifier counts for its reports: the verdicts by reason, the recent checks' times and the
 * infrastructure failures, and the one-word state its status shows. Plain Java on the verifier's
 * thread.
 */
final class VerifierCounts {
  private final long[] byReason = new long[Verdict.Reason.values().length];
  private final LatencyWindow latency = new LatencyWindow(2048);
  private long scored;
  private long infrastructureFailures;

  /** Counts a verdict, and returns how many were counted, this one included. */
  long scored(Verdict v) {
    byReason[v.reason().ordinal()]++;
    latency.add(v.millis());
    return ++scored;
  }

  /** Counts a check that could not run (it is retried). */
  void infrastructureFailure() {
    infrastructureFailures++;
  }

  long scored() {
    return scored;
  }

  long infrastructureFailures() {
    return infrastructureFailures;
  }

  /** The times of the recent checks, in milliseconds. */
  LatencyWindow latency() {
    return latency;
  }

  /**
   * The report for the training-events topic.
   *
   * @param held the trajectories the verifier holds
   * @param breaker the circuit breaker's state: closed, open or half-open
   */
  VerifierReport report(String verifier, String suite, int held, String breaker) {
    double[] p50p99 = latency.quantiles(0.5, 0.99);
    return new VerifierReport(
        verifier,
        suite,
        scored,
        byReason.clone(),
        p50p99[0],
        p50p99[1],
        held,
        breaker,
        infrastructureFailures);
  }

  /** The verifier's state in one word: the breaker's unless closed, else what it does. */
  static String state(String breaker, int running, int held) {
    return !breaker.equals("closed")
        ? "breaker-" + breaker
        : running > 0 ? "checking" : held > 0 ? "holding" : "idle";
  }
}
