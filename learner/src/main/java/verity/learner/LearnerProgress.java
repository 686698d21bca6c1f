package verity.learner;

import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.actors.protocol.TrainingEvent;
import verity.actors.weights.FlatWeights;

/**
 * The learner's running account of its run: the version it published last, where it resumed, and
 * what became of the trajectories it did not train (rejected as stale, repeated deliveries, refused
 * claims, failed steps), for its step reports and its status. Not thread-safe.
 */
final class LearnerProgress {
  /** The version published last. */
  private PolicyVersion published;

  /** The weights it started at, until they are handed to the store (then dropped: 1× model). */
  private FlatWeights initial;

  private long resumedFrom = -1;
  private long consumed;
  private long rejectedStale;
  private long duplicates;
  private long repeated;
  private long closedLease;
  private long failed;
  private long droppedWhileStarting;
  private boolean finished;

  /** The replica started with these weights (a checkpoint's or the initial ones). */
  void startedAt(FlatWeights initial) {
    this.initial = initial;
    published = initial.version();
  }

  /** This incarnation resumed from the version it started at, in a new epoch. */
  void resumedIn(long epoch, long duplicatesSoFar) {
    resumedFrom = published.value();
    duplicates = duplicatesSoFar;
  }

  /**
   * The weights it started at, named as {@code version} (a resume's new epoch), for the store; not
   * kept here after.
   */
  FlatWeights publishInitial(PolicyVersion version) {
    FlatWeights w = initial.as(version);
    initial = null;
    published = version;
    return w;
  }

  void published(PolicyVersion version) {
    published = version;
  }

  PolicyVersion published() {
    return published;
  }

  /** The report of a journaled step; counts its trajectories as consumed. */
  TrainingEvent.StepCompleted stepCompleted(
      PolicyVersion version, StepMetrics metrics, long duplicatesTotal) {
    consumed += metrics.trajectories();
    duplicates = duplicatesTotal;
    return new TrainingEvent.StepCompleted(
        version.value(), version, metrics, consumed, rejectedStale, duplicates, resumedFrom);
  }

  void rejectedStale(long trajectories) {
    rejectedStale += trajectories;
  }

  void repeated(long trajectories) {
    repeated += trajectories;
  }

  long repeated() {
    return repeated;
  }

  /** Trajectories of a lease whose claim the task source refused: it had closed meanwhile. */
  void closedLease(long trajectories) {
    closedLease += trajectories;
  }

  void failed(long trajectories) {
    failed += trajectories;
  }

  long failed() {
    return failed;
  }

  void droppedWhileStarting(long trajectories) {
    droppedWhileStarting += trajectories;
  }

  /** What the status reports as errors: trajectories delivered and not trained. */
  long errors() {
    return rejectedStale + failed + closedLease + droppedWhileStarting;
  }

  void finish() {
    finished = true;
  }

  boolean finished() {
    return finished;
  }
}
