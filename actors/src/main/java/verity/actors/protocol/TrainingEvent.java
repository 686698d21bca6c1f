package verity.actors.protocol;

import verity.actors.VerityMessage;
import verity.actors.ids.PolicyVersion;

/**
 * Progress of a run, published on {@link verity.actors.cluster.Topics#TRAINING_EVENTS} for the
 * command line, the console and tests. Counters are cumulative per reporting actor.
 */
public sealed interface TrainingEvent extends VerityMessage {

  /**
   * The learner applied a step and published {@code version}. {@code resumedFromVersion} is the
   * checkpoint's version this learner incarnation resumed from, -1 for a fresh run; it rides on
   * every step because a subscriber may join after the one-off {@link Resumed} was published.
   */
  record StepCompleted(
      long step,
      PolicyVersion version,
      StepMetrics metrics,
      long consumedTotal,
      long rejectedStaleTotal,
      long duplicatesTotal,
      long resumedFromVersion)
      implements TrainingEvent {}

  /** A checkpoint of {@code version} is on disk at {@code path} and in the learner's journal. */
  record CheckpointSaved(PolicyVersion version, String path) implements TrainingEvent {}

  /**
   * The learner resumed from the checkpoint of {@code version} after a restart; {@code
   * discardedSteps} applied steps after it were lost and their tasks leased again.
   */
  record Resumed(PolicyVersion version, int discardedSteps, long duplicatesTotal)
      implements TrainingEvent {}

  /** Greedy pass@1 of {@code version} on a suite's evaluation set. */
  record EvaluationCompleted(PolicyVersion version, double passAt1, int tasks, String evaluationSet)
      implements TrainingEvent {}

  /** A rollout worker's running totals. */
  record RolloutReport(
      String worker, PolicyVersion version, long trajectories, long tokens, double generateMillis)
      implements TrainingEvent {}

  /**
   * A verifier's running totals and current state.
   *
   * @param byReason verdicts so far, indexed by {@link Verdict.Reason#ordinal()}
   * @param p50Millis median check latency over the recent window
   * @param p99Millis 99th-percentile check latency over the recent window
   * @param queued trajectories accepted and not yet scored
   * @param breaker {@code closed}, {@code open} (suite paused) or {@code half-open}
   * @param infrastructureFailures sandbox or executor failures so far (retried, never a verdict)
   */
  record VerifierReport(
      String verifier,
      String suite,
      long scored,
      long[] byReason,
      double p50Millis,
      double p99Millis,
      int queued,
      String breaker,
      long infrastructureFailures)
      implements TrainingEvent {

    public long count(Verdict.Reason reason) {
      return reason.ordinal() < byReason.length ? byReason[reason.ordinal()] : 0;
    }
  }

  /** Progress of the supervised warm start that precedes version 0. */
  record WarmStartProgress(int step, int steps, double loss) implements TrainingEvent {}

  /** The learner reached its configured step limit and stopped training. */
  record TrainingFinished(long steps, PolicyVersion version) implements TrainingEvent {}
}
