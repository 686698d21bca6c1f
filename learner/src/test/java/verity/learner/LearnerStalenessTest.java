package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.typed.ActorRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.Segment;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.learner.LearnerSettings.StaleHandling;
import verity.policy.CharacterTokenizer;
import verity.policy.PolicySpec;

/**
 * Trajectories from a policy more than η versions behind the learner are rejected or down-weighted
 * as configured. Each test gets its own actor system so that only one learner is registered.
 */
class LearnerStalenessTest {
  static final PolicySpec SPEC =
      new PolicySpec(
          new CharacterTokenizer(
              List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "=")),
          5,
          3,
          16,
          32,
          1);
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dataDir;
  LearnerTesting learner;
  ActorRef<LearnerProtocol.Command> intake;

  void start(StaleHandling handling) throws Exception {
    learner = new LearnerTesting(dataDir, LearnerTesting.settings(1e-3, 0, handling), 50);
    intake = learner.intake;
  }

  @AfterEach
  void stop() {
    learner.stop();
  }

  /** A complete group of two samples of lease {@code lease}, generated at {@code version}. */
  static LearnerProtocol.ScoredBatch group(long lease, long version) {
    return group(lease, PolicyVersion.of(version));
  }

  /** A complete group of two samples of lease {@code lease}, generated at {@code version}. */
  static LearnerProtocol.ScoredBatch group(long lease, PolicyVersion version) {
    List<ScoredTrajectory> members = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Trajectory t =
          new Trajectory(
              new TrajectoryId(new LeaseId(lease), i),
              "arith",
              new TaskId("1+2"),
              2,
              new int[] {4, 13, 5, 14},
              new int[] {6, 2},
              new boolean[] {true, true},
              new float[] {-2.7f, -2.7f},
              "3",
              List.of(new Segment(0, 2, version)),
              "test");
      members.add(
          new ScoredTrajectory(
              t,
              i == 0
                  ? new Verdict(1, Verdict.Reason.CORRECT)
                  : new Verdict(0, Verdict.Reason.WRONG)));
    }
    return new LearnerProtocol.ScoredBatch(members);
  }

  TrainingEvent.StepCompleted nextStep() {
    return learner.next(TrainingEvent.StepCompleted.class);
  }

  @Test
  void shouldRejectTrajectoriesMoreThanEtaVersionsBehind() throws Exception {
    start(StaleHandling.REJECT);
    intake.tell(group(1, 0));
    assertEquals(PolicyVersion.of(1), nextStep().version());
    learner.expectSettled(List.of(new LeaseId(1)), Settlement.CONSUMED);

    intake.tell(group(2, 0)); // the learner is at v1 and η = 0: one version too old
    learner.expectSettled(List.of(new LeaseId(2)), Settlement.REJECTED_STALE);

    intake.tell(group(3, 1));
    TrainingEvent.StepCompleted step = nextStep();
    assertEquals(PolicyVersion.of(2), step.version());
    assertEquals(2, step.rejectedStaleTotal());
    assertEquals(4, step.consumedTotal());
    assertEquals(0, step.metrics().downweighted());
  }

  @Test
  void shouldDownWeightTrajectoriesMoreThanEtaVersionsBehindWhenSoConfigured() throws Exception {
    start(StaleHandling.DOWN_WEIGHT);
    intake.tell(group(1, 0));
    nextStep();
    learner.expectSettled(List.of(new LeaseId(1)), Settlement.CONSUMED);

    intake.tell(group(2, 0));
    TrainingEvent.StepCompleted step = nextStep();
    assertEquals(2, step.metrics().downweighted());
    assertEquals(1.0, step.metrics().meanStaleness(), 1e-9);
    assertEquals(0, step.rejectedStaleTotal());
    learner.expectSettled(List.of(new LeaseId(2)), Settlement.CONSUMED);
  }

  @Test
  void shouldDropTrajectoriesOfVersionsNewerThanItsOwnAsFromADiscardedLineage() throws Exception {
    // A worker still holding weights of steps that a restart discarded: the learner is at v0.
    start(StaleHandling.DOWN_WEIGHT);
    intake.tell(group(1, 3));
    learner.expectSettled(List.of(new LeaseId(1)), Settlement.REJECTED_STALE);

    intake.tell(group(2, 0));
    TrainingEvent.StepCompleted step = nextStep();
    assertEquals(PolicyVersion.of(1), step.version());
    assertEquals(2, step.rejectedStaleTotal());
    assertEquals(2, step.consumedTotal());
  }
}
