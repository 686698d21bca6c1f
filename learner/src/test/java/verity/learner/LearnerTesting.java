package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
 * A real learner on a single-node test cluster with its journal under a temporary directory, a
 * stand-in task source on the other side of the lease protocol, and probes for what the learner
 * tells the task source and the training-events topic. The stand-in grants every claim except those
 * a test refuses, confirms settlements (except as many as a test leaves unanswered) and releases,
 * and leaves reopens for the test to confirm; it forwards every message to {@link #toTaskSource}.
 */
final class LearnerTesting {
  static final Duration WAIT = Duration.ofSeconds(30);

  final ActorTestKit testKit;
  final TestProbe<LeaseProtocol.Command> toTaskSource;
  final TestProbe<TrainingEvent> events;
  final ActorRef<LearnerProtocol.Command> intake;

  /** Leases whose claim the stand-in refuses (they closed at the task source). */
  final Set<LeaseId> refusedClaims = ConcurrentHashMap.newKeySet();

  /** How many settlements the stand-in leaves unanswered before it confirms again. */
  final AtomicInteger unansweredSettlements = new AtomicInteger();

  /** One group per step on the tiny policy of {@link LearnerStalenessTest#SPEC}. */
  static LearnerSettings settings(double learningRate, int maxStaleness, StaleHandling handling) {
    return settings(learningRate, maxStaleness, handling, 0);
  }

  static LearnerSettings settings(
      double learningRate, int maxStaleness, StaleHandling handling, long maxSteps) {
    return new LearnerSettings(
        1,
        learningRate,
        Objective.Kind.DECOUPLED_PPO,
        0.2,
        0.0,
        2.0,
        Objective.BehaviourWeight.TRUNCATE,
        0.0,
        1,
        1,
        1.0,
        LearnerSettings.OptimizerSettings.CONSTANT,
        true,
        maxStaleness,
        handling,
        0.5,
        maxSteps,
        new LearnerSettings.WarmStart(0, 1, 1e-3),
        32768,
        1,
        1L);
  }

  LearnerTesting(Path dataDir, LearnerSettings settings, int checkpointEvery) throws Exception {
    this(
        dataDir,
        settings,
        new CheckpointSettings(dataDir.resolve("checkpoints"), checkpointEvery, 3));
  }

  LearnerTesting(Path dataDir, LearnerSettings settings, CheckpointSettings checkpoints)
      throws Exception {
    this(dataDir, settings, checkpoints, DemonstrationSource.NONE);
  }

  LearnerTesting(
      Path dataDir,
      LearnerSettings settings,
      CheckpointSettings checkpoints,
      DemonstrationSource demonstrations)
      throws Exception {
    testKit = TestNodes.withJournal("learner", dataDir);
    toTaskSource = testKit.createTestProbe();
    ActorRef<LeaseProtocol.Command> taskSource = testKit.spawn(taskSource(toTaskSource.getRef()));
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.LEASE_SETTLEMENT, taskSource));
    events = testKit.createTestProbe();
    ActorRef<Topic.Command<TrainingEvent>> topic =
        testKit.spawn(Topic.create(TrainingEvent.class, Topics.TRAINING_EVENTS));
    topic.tell(Topic.subscribe(events.getRef()));
    testKit.spawn(
        Learner.create(
            settings,
            checkpoints,
            "arith",
            new Objective(Objective.Kind.DECOUPLED_PPO, 0.2, 0.0, 2.0, 1f),
            () -> Policy.create(LearnerStalenessTest.SPEC, Device.cpu(), 1),
            demonstrations));
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

  private Behavior<LeaseProtocol.Command> taskSource(ActorRef<LeaseProtocol.Command> probe) {
    return Behaviors.receiveMessage(
        m -> {
          probe.tell(m);
          if (m instanceof LeaseProtocol.ClaimLeases c) {
            c.replyTo()
                .tell(
                    new LeaseProtocol.ClaimAnswer(
                        c.leases().stream().filter(l -> !refusedClaims.contains(l)).toList(),
                        c.leases().stream().filter(refusedClaims::contains).toList()));
          } else if (m instanceof LeaseProtocol.SettleLeases s) {
            if (unansweredSettlements.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
              s.replyTo().tell(new LeaseProtocol.SettlementConfirmed(s.leases()));
            }
          } else if (m instanceof LeaseProtocol.ReleaseClaims r) {
            r.replyTo().tell(new LeaseProtocol.ClaimsReleased(r.epoch()));
          }
          return Behaviors.same();
        });
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

  /** The next message to the task source of this type, skipping others. */
  @SuppressWarnings("unchecked")
  <T extends LeaseProtocol.Command> T nextTo(Class<T> type) {
    return (T)
        toTaskSource
            .fishForMessage(
                WAIT,
                m ->
                    type.isInstance(m)
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore())
            .get(0);
  }

  /** The next settlement sent is of exactly these leases, so settled. */
  void expectSettled(List<LeaseId> leases, LeaseProtocol.Settlement how) {
    LeaseProtocol.SettleLeases s = nextTo(LeaseProtocol.SettleLeases.class);
    assertEquals(leases, s.leases(), "a settlement of " + leases);
    assertEquals(how, s.settlement(), "a settlement of " + leases);
  }

  /** Fails if an event matching {@code bad} is published within {@code d}. */
  void assertNoEventWithin(
      Duration d, java.util.function.Predicate<TrainingEvent> bad, String why) {
    assertNoneWithin(events, d, bad, why);
  }

  /** Fails if a message of this type is sent to the task source within {@code d}. */
  void assertNoneSent(Class<?> type, Duration d, String why) {
    assertNoneWithin(toTaskSource, d, type::isInstance, why);
  }

  private static <T> void assertNoneWithin(
      TestProbe<T> probe, Duration d, java.util.function.Predicate<? super T> bad, String why) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      T m;
      try {
        m = probe.receiveMessage(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
      } catch (AssertionError timeout) {
        return;
      }
      org.junit.jupiter.api.Assertions.assertFalse(bad.test(m), why + ": " + m);
    }
  }

  void stop() {
    testKit.shutdownTestKit();
  }
}
