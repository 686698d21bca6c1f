package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.Topics;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.LeasesSettled;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.Segment;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.learner.LearnerSettings.StaleHandling;
import verity.learner.checkpoint.CheckpointSettings;
import verity.learner.grpo.Objective;
import verity.policy.Policy;
import verity.policy.PolicySpec;

/**
 * Trajectories from a policy more than η versions behind the learner are rejected or down-weighted
 * as configured. Each test gets its own actor system so that only one learner is registered.
 */
class LearnerStalenessTest {
  static final PolicySpec SPEC = new PolicySpec(15, 0, 1, 2, 5, 3, 16, 32, 1);
  static final Duration WAIT = Duration.ofSeconds(30);

  ActorTestKit testKit;
  TestProbe<LeaseProtocol.Command> settlements;
  TestProbe<TrainingEvent> events;
  ActorRef<LearnerProtocol.Command> intake;

  @TempDir Path dataDir;

  void start(StaleHandling handling) throws Exception {
    testKit = LearnerTesting.startNode(dataDir);
    settlements = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.LEASE_SETTLEMENT, settlements.getRef()));
    events = testKit.createTestProbe();
    ActorRef<Topic.Command<TrainingEvent>> topic =
        testKit.spawn(Topic.create(TrainingEvent.class, Topics.TRAINING_EVENTS));
    topic.tell(Topic.subscribe(events.getRef()));
    LearnerSettings settings =
        new LearnerSettings(
            1,
            1e-3,
            Objective.Kind.DECOUPLED_PPO,
            0.2,
            0.0,
            2.0,
            1.0,
            true,
            0,
            handling,
            0.5,
            0,
            new LearnerSettings.WarmStart(0, 1, 1e-3),
            32768,
            1);
    testKit.spawn(
        Learner.create(
            settings,
            new CheckpointSettings(dataDir.resolve("checkpoints"), 50, 3),
            "arith",
            new Objective(Objective.Kind.DECOUPLED_PPO, 0.2, 0.0, 2.0, 1f),
            () -> Policy.create(SPEC, Device.cpu(), 1),
            DemonstrationSource.NONE));
    TestProbe<Receptionist.Listing> listing = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.subscribe(ServiceKeys.LEARNER, listing.getRef()));
    intake =
        listing
            .fishForMessage(
                WAIT,
                l ->
                    l.getServiceInstances(ServiceKeys.LEARNER).isEmpty()
                        ? akka.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()
                        : akka.actor.testkit.typed.javadsl.FishingOutcomes.complete())
            .get(0)
            .getServiceInstances(ServiceKeys.LEARNER)
            .iterator()
            .next();
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  /** A complete group of two samples of lease {@code lease}, generated at {@code version}. */
  static LearnerProtocol.ScoredBatch group(long lease, long version) {
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
              List.of(new Segment(0, 2, new PolicyVersion(version))),
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
    return (TrainingEvent.StepCompleted)
        events
            .fishForMessage(
                WAIT,
                e ->
                    e instanceof TrainingEvent.StepCompleted
                        ? akka.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                        : akka.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore())
            .get(0);
  }

  @Test
  void shouldRejectTrajectoriesMoreThanEtaVersionsBehind() throws Exception {
    start(StaleHandling.REJECT);
    intake.tell(group(1, 0));
    assertEquals(new PolicyVersion(1), nextStep().version());
    settlements.expectMessage(
        WAIT, new LeasesSettled(List.of(new LeaseId(1)), Settlement.CONSUMED));

    intake.tell(group(2, 0)); // the learner is at v1 and η = 0: one version too old
    settlements.expectMessage(
        WAIT, new LeasesSettled(List.of(new LeaseId(2)), Settlement.REJECTED_STALE));

    intake.tell(group(3, 1));
    TrainingEvent.StepCompleted step = nextStep();
    assertEquals(new PolicyVersion(2), step.version());
    assertEquals(2, step.rejectedStaleTotal());
    assertEquals(4, step.consumedTotal());
    assertEquals(0, step.metrics().downweighted());
  }

  @Test
  void shouldDownWeightTrajectoriesMoreThanEtaVersionsBehindWhenSoConfigured() throws Exception {
    start(StaleHandling.DOWN_WEIGHT);
    intake.tell(group(1, 0));
    nextStep();
    settlements.expectMessage(
        WAIT, new LeasesSettled(List.of(new LeaseId(1)), Settlement.CONSUMED));

    intake.tell(group(2, 0));
    TrainingEvent.StepCompleted step = nextStep();
    assertEquals(2, step.metrics().downweighted());
    assertEquals(1.0, step.metrics().meanStaleness(), 1e-9);
    assertEquals(0, step.rejectedStaleTotal());
    settlements.expectMessage(
        WAIT, new LeasesSettled(List.of(new LeaseId(2)), Settlement.CONSUMED));
  }
}
