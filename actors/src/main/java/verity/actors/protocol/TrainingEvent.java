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

  /**
   * Greedy pass@1 of {@code version} on {@code tasks} tasks of a suite.
   *
   * @param purpose what the run uses the figure for: {@code validation} (the curve, {@code
   *     --target-pass}) or {@code test} (initial and final pass@1)
   * @param split the split the tasks are from: {@code validation} or {@code test}, or {@code train}
   *     for a suite that holds nothing out (a training-set score, and labelled so)
   */
  record EvaluationCompleted(
      PolicyVersion version, double passAt1, int tasks, String purpose, String split)
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

  /**
   * The learner cannot go on (a checkpoint could not be written): the run stops; {@code reason} is
   * one line naming what failed and where.
   */
  record TrainingFailed(String reason, PolicyVersion version) implements TrainingEvent {}

  /**
   * What one actor is doing now, published about once a second by every task source, rollout
   * worker, verifier pool and learner for the console. Counters are cumulative over the actor's
   * life; a value that does not apply to the kind is -1.
   *
   * @param actor the actor's name, {@code node:actor}
   * @param kind {@code task-source}, {@code rollout-worker}, {@code verifier}, {@code learner} or
   *     {@code learner-shard}
   * @param node the name of the node it runs on
   * @param state a word for what it is doing ({@code generating}, {@code idle}, {@code paused},
   *     ...)
   * @param queueDepth work waiting for it (requests, trajectories, batches)
   * @param inFlight work it has started and not finished
   * @param processed work finished so far (leases, trajectories, verdicts, steps)
   * @param p50Millis median latency of its unit of work over a recent window
   * @param p99Millis 99th-percentile latency over the same window
   * @param policyVersion the policy version it works with ({@link
   *     verity.actors.ids.PolicyVersion#value()}), -1 when it holds none or none applies
   * @param policyEpoch the epoch of that version, -1 likewise
   * @param errors failures so far (expired leases, refused batches, infrastructure failures, ...)
   * @param restarts how often its supervisor restarted it after a failure
   */
  record ActorStatus(
      String actor,
      String kind,
      String node,
      String state,
      int queueDepth,
      int inFlight,
      long processed,
      double p50Millis,
      double p99Millis,
      long policyVersion,
      long policyEpoch,
      long errors,
      int restarts)
      implements TrainingEvent {}

  /**
   * A node's JVM, published every few seconds by each node.
   *
   * @param address the node's cluster address
   * @param processCpuLoad this JVM's share of the machine's CPU, 0..1, or -1 when unknown
   * @param systemCpuLoad the whole machine's CPU load, 0..1, or -1 when unknown
   */
  record NodeStatus(
      String node,
      String address,
      long heapUsedBytes,
      long heapMaxBytes,
      double processCpuLoad,
      double systemCpuLoad,
      int availableProcessors,
      int threads,
      double uptimeSeconds)
      implements TrainingEvent {}

  /**
   * One scored trajectory, sampled by its verifier for the console's trajectory inspector, with the
   * prompt and completion as text.
   *
   * @param verdict the reason label ({@code correct}, {@code wrong}, {@code timeout}, ...)
   * @param detail what the check said beyond the verdict (which test failed, ...), or empty
   * @param versions the policy versions that produced its tokens, in order, without repeats
   * @param tokens tokens the policy sampled
   */
  record TrajectorySample(
      String id,
      String suite,
      String task,
      String verdict,
      double reward,
      String detail,
      String prompt,
      String completion,
      long[] versions,
      String worker,
      String verifier,
      double checkMillis,
      int tokens)
      implements TrainingEvent {}
}
