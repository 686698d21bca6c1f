package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.Topics;
import verity.actors.ids.LeaseId;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.TrainingEvent;
import verity.actors.testing.TestNodes;
import verity.learner.LearnerSettings.StaleHandling;
import verity.learner.checkpoint.CheckpointSettings;
import verity.learner.grpo.Objective;
import verity.policy.Policy;

/**
 * A real learner on a single-node test cluster with its journal under a temporary directory, and
 * probes for what it tells the task source and the training-events topic.
 */
final class LearnerTesting {
  static final Duration WAIT = Duration.ofSeconds(30);

  final ActorTestKit testKit;
  final TestProbe<LeaseProtocol.Command> settlements;
  final TestProbe<TrainingEvent> events;
  final ActorRef<LearnerProtocol.Command> intake;

  /** One group per step on the tiny policy of {@link LearnerStalenessTest#SPEC}. */
  static LearnerSettings settings(double learningRate, int maxStaleness, StaleHandling handling) {
    return new LearnerSettings(
        1,
        learningRate,
        Objective.Kind.DECOUPLED_PPO,
        0.2,
        0.0,
        2.0,
        1.0,
        true,
        maxStaleness,
        handling,
        0.5,
        0,
        new LearnerSettings.WarmStart(0, 1, 1e-3),
        32768,
        1);
  }

  LearnerTesting(Path dataDir, LearnerSettings settings, int checkpointEvery) throws Exception {
    testKit = TestNodes.withJournal("learner", dataDir);
    settlements = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.LEASE_SETTLEMENT, settlements.getRef()));
    events = testKit.createTestProbe();
    ActorRef<Topic.Command<TrainingEvent>> topic =
        testKit.spawn(Topic.create(TrainingEvent.class, Topics.TRAINING_EVENTS));
    topic.tell(Topic.subscribe(events.getRef()));
    testKit.spawn(
        Learner.create(
            settings,
            new CheckpointSettings(dataDir.resolve("checkpoints"), checkpointEvery, 3),
            "arith",
            new Objective(Objective.Kind.DECOUPLED_PPO, 0.2, 0.0, 2.0, 1f),
            () -> Policy.create(LearnerStalenessTest.SPEC, Device.cpu(), 1),
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
                        ? FishingOutcomes.continueAndIgnore()
                        : FishingOutcomes.complete())
            .get(0)
            .getServiceInstances(ServiceKeys.LEARNER)
            .iterator()
            .next();
  }

  /** The next training event of this type, skipping others. */
  @SuppressWarnings("unchecked")
  <T extends TrainingEvent> T next(Class<T> type) {
    return (T)
        events
            .fishForMessage(
                WAIT,
                e ->
                    type.isInstance(e)
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore())
            .get(0);
  }

  /** The next message to the task source is a settlement of exactly these leases, so settled. */
  void expectSettled(List<LeaseId> leases, LeaseProtocol.Settlement how) {
    expectSettled("a settlement of " + leases, leases, how);
  }

  void expectSettled(String why, List<LeaseId> leases, LeaseProtocol.Settlement how) {
    LeaseProtocol.SettleLeases s =
        settlements.expectMessageClass(LeaseProtocol.SettleLeases.class, WAIT);
    assertEquals(leases, s.leases(), why);
    assertEquals(how, s.settlement(), why);
  }

  void stop() {
    testKit.shutdownTestKit();
  }
}
