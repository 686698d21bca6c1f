package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.Topics;
import verity.actors.cluster.VerityNode;
import verity.actors.config.DelayDistribution;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.VerifierProtocol;
import verity.actors.protocol.WeightsProtocol;
import verity.actors.protocol.WeightsProtocol.FetchLatest;
import verity.actors.weights.FlatWeights;
import verity.envs.arith.ArithmeticSuite;
import verity.policy.CharacterTokenizer;
import verity.policy.Policy;
import verity.policy.PolicySpec;
import verity.policy.ReplicaFactory;

/**
 * A rollout worker generates nothing before it holds a version from the policy store, hands a batch
 * over only after its added episode time, leases its next batch while one generates, and leases
 * nothing while a batch waits for a verifier; it restarts after a failure, and drains when its node
 * shuts down.
 */
class RolloutWorkerTest {
  static final PolicySpec SPEC =
      new PolicySpec(
          new CharacterTokenizer(
              List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "=")),
          5,
          3,
          16,
          32,
          1);
  static final Duration WAIT = Duration.ofSeconds(20);

  ActorTestKit testKit;
  private TestPlane plane;

  /** The test's weight plane, bound on first use in this test's actor system. */
  TestPlane plane() {
    if (plane == null) {
      plane = new TestPlane(testKit.system());
    }
    return plane;
  }

  @BeforeEach
  void start() {
    testKit =
        ActorTestKit.create(
            "worker",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
    VerityNode.joinSelf(testKit.system());
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldLeaseNoTaskBeforeItHoldsAVersionFromTheStore() {
    TestProbe<TaskSource.Command> source = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(TaskSource.SERVICE_KEY, source.getRef()));
    testKit.spawn(
        RolloutWorker.create(
            "w",
            ArithmeticSuite.singleDigit(),
            new RolloutSettings(1, 2, 1, 8, Duration.ofMinutes(1), 10),
            1f,
            1,
            () -> Policy.create(SPEC, Device.cpu(), 1)));
    // A task source is there, but no policy store: its initial replica must not generate.
    source.expectNoMessage(Duration.ofSeconds(3));

    TestProbe<WeightsProtocol.Command> store = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.POLICY_STORE, store.getRef()));
    FetchLatest fetch = store.expectMessageClass(FetchLatest.class, WAIT);
    try (Policy learner = Policy.create(SPEC, Device.cpu(), 7)) {
      plane().offer(fetch, learner.exportWeights(PolicyVersion.of(42)));
    }
    TaskRequests.RequestTasks request =
        source.expectMessageClass(TaskRequests.RequestTasks.class, WAIT);
    assertEquals("w", request.worker());
  }

  @Test
  void shouldHandTheBatchToAVerifierOnlyAfterItsAddedEpisodeTime() {
    Rig rig = startWorker(Duration.ofMillis(2500));
    var suite = rig.suite();
    var source = rig.source();
    var verifier = rig.verifier();
    Duration episodeTime = rig.episodeTime();
    TaskRequests.RequestTasks request =
        source.expectMessageClass(TaskRequests.RequestTasks.class, WAIT);
    TaskId task = new TaskId(suite.generator(1).next().id());
    long leased = System.nanoTime();
    request
        .replyTo()
        .tell(new TaskRequests.Leases(List.of(new TaskRequests.Lease(new LeaseId(1), task, 2))));

    // Two single-digit sums take milliseconds to generate; the batch must still wait its 2.5 s.
    verifier.expectNoMessage(Duration.ofMillis(1500));
    VerifierProtocol.VerifyBatch batch =
        verifier.expectMessageClass(VerifierProtocol.VerifyBatch.class, WAIT);
    assertTrue(
        System.nanoTime() - leased >= episodeTime.toNanos(),
        "the batch came before its added episode time had passed");
    assertEquals(2, batch.trajectories().size());
    assertEquals(3, batch.trajectories().get(0).segments().get(0).version().value());
  }

  @Test
  void shouldLeaseTheNextBatchWhileOneGeneratesButNotWhileABatchWaitsForAVerifier() {
    Rig rig = startWorker(Duration.ofMillis(1000));
    var suite = rig.suite();
    var source = rig.source();
    var verifier = rig.verifier();
    TaskId task = new TaskId(suite.generator(1).next().id());

    // The first batch: its time is not known yet, so nothing is leased ahead of it.
    lease(source.expectMessageClass(TaskRequests.RequestTasks.class, WAIT), 1, task);
    VerifierProtocol.VerifyBatch first =
        verifier.expectMessageClass(VerifierProtocol.VerifyBatch.class, WAIT);
    first.replyTo().tell(new VerifierProtocol.Accepted(first.batch()));

    // The second batch takes 1 s, short against the 1-minute lease timeout: while it generates,
    // the worker asks for the third.
    lease(source.expectMessageClass(TaskRequests.RequestTasks.class, WAIT), 2, task);
    TaskRequests.RequestTasks ahead =
        source.expectMessageClass(TaskRequests.RequestTasks.class, WAIT);
    verifier.expectNoMessage(Duration.ZERO); // the second batch is still generating
    lease(ahead, 3, task);
    VerifierProtocol.VerifyBatch second =
        verifier.expectMessageClass(VerifierProtocol.VerifyBatch.class, WAIT);
    assertEquals(2, second.trajectories().get(0).id().lease().value());

    // The second batch waits for an answer: the third generates, but nothing more is leased and
    // the third is not offered before the second is taken.
    source.expectNoMessage(Duration.ofMillis(2500));
    second.replyTo().tell(new VerifierProtocol.Accepted(second.batch()));
    VerifierProtocol.VerifyBatch third =
        verifier.expectMessageClass(VerifierProtocol.VerifyBatch.class, WAIT);
    assertEquals(3, third.trajectories().get(0).id().lease().value());
    assertEquals(second.batch() + 1, third.batch());
  }

  @Test
  void shouldRestartWhenItsReplicaFailsToStartAndGoOnGenerating() {
    AtomicInteger built = new AtomicInteger();
    ReplicaFactory failsOnce =
        () -> {
          if (built.incrementAndGet() == 1) {
            throw new IllegalStateException("no device (test)");
          }
          return Policy.create(SPEC, Device.cpu(), 1);
        };
    Restartable rig = startRestartable(failsOnce);

    lease(rig.source().expectMessageClass(TaskRequests.RequestTasks.class, WAIT), 1, rig.task());
    VerifierProtocol.VerifyBatch batch =
        rig.verifier().expectMessageClass(VerifierProtocol.VerifyBatch.class, WAIT);
    assertEquals(2, batch.trajectories().size());
    assertEquals(2, built.get(), "a second replica, built by the restarted worker");
    assertEquals(1, restartsReported(rig.events(), "w"));
  }

  @Test
  void shouldRestartWhenABatchFailsToGenerateAndGoOnGenerating() {
    Restartable rig = startRestartable(() -> Policy.create(SPEC, Device.cpu(), 1));
    // A task this worker's suite does not know: generating it throws.
    lease(
        rig.source().expectMessageClass(TaskRequests.RequestTasks.class, WAIT),
        1,
        new TaskId("no-such-task"));

    // The restarted worker fetches the version again and asks for work again.
    lease(rig.source().expectMessageClass(TaskRequests.RequestTasks.class, WAIT), 2, rig.task());
    VerifierProtocol.VerifyBatch batch =
        rig.verifier().expectMessageClass(VerifierProtocol.VerifyBatch.class, WAIT);
    assertEquals(2, batch.trajectories().get(0).id().lease().value());
    assertEquals(1, restartsReported(rig.events(), "w"));
  }

  @Test
  void shouldHandBackWhatItHoldsAndDeliverItsLastBatchWhenItsNodeShutsDown() {
    Rig rig = startWorker(Duration.ofMillis(3000));
    var source = rig.source();
    var verifier = rig.verifier();
    TaskId task = new TaskId(rig.suite().generator(1).next().id());
    lease(source.expectMessageClass(TaskRequests.RequestTasks.class, WAIT), 1, task);
    VerifierProtocol.VerifyBatch first =
        verifier.expectMessageClass(VerifierProtocol.VerifyBatch.class, WAIT);
    first.replyTo().tell(new VerifierProtocol.Accepted(first.batch()));
    // Batch 2 generates (3 s) and batch 3 is leased ahead of it.
    lease(source.expectMessageClass(TaskRequests.RequestTasks.class, WAIT), 2, task);
    lease(source.expectMessageClass(TaskRequests.RequestTasks.class, WAIT), 3, task);

    // The node leaves: its coordinated shutdown runs. A task of the phase after the drain's tells
    // when the drain's phase is over.
    TestProbe<String> nextPhase = testKit.createTestProbe();
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(testKit.system().classicSystem());
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceUnbind(),
        "test-next-phase",
        () -> {
          nextPhase.getRef().tell("started");
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    shutdown.runAll(CoordinatedShutdown.clusterLeavingReason());

    // The prefetched lease goes back at once; the batch that generates is finished and offered.
    TaskRequests.ReturnLeases back =
        source.expectMessageClass(TaskRequests.ReturnLeases.class, WAIT);
    assertEquals(List.of(new LeaseId(3)), back.leases());
    assertEquals("w", back.worker());
    VerifierProtocol.VerifyBatch last =
        verifier.expectMessageClass(VerifierProtocol.VerifyBatch.class, WAIT);
    assertEquals(2, last.trajectories().get(0).id().lease().value());

    // Until a verifier takes it, the drain holds the shutdown, and nothing new is leased.
    nextPhase.expectNoMessage(Duration.ofSeconds(1));
    source.expectNoMessage(Duration.ZERO);
    last.replyTo().tell(new VerifierProtocol.Accepted(last.batch()));
    nextPhase.expectMessage(WAIT, "started");
    source.expectNoMessage(Duration.ZERO);
  }

  /** A worker under test, its probes, a store that serves version 3 to every fetch, and events. */
  private record Restartable(
      TestProbe<TaskSource.Command> source,
      TestProbe<VerifierProtocol.Command> verifier,
      TestProbe<TrainingEvent> events,
      TaskId task) {}

  private Restartable startRestartable(ReplicaFactory replicas) {
    var suite = ArithmeticSuite.singleDigit();
    TestProbe<TaskSource.Command> source = testKit.createTestProbe();
    TestProbe<VerifierProtocol.Command> verifier = testKit.createTestProbe();
    TestProbe<TrainingEvent> events = testKit.createTestProbe();
    testKit
        .spawn(Topic.create(TrainingEvent.class, Topics.TRAINING_EVENTS))
        .tell(Topic.subscribe(events.getRef()));
    FlatWeights v3;
    try (Policy learner = Policy.create(SPEC, Device.cpu(), 7)) {
      v3 = learner.exportWeights(PolicyVersion.of(3));
    }
    var receptionist = testKit.system().receptionist();
    receptionist.tell(Receptionist.register(TaskSource.SERVICE_KEY, source.getRef()));
    receptionist.tell(Receptionist.register(ServiceKeys.verifiers("arith"), verifier.getRef()));
    receptionist.tell(Receptionist.register(ServiceKeys.POLICY_STORE, testKit.spawn(serving(v3))));
    testKit.spawn(
        RolloutWorker.create(
            "w",
            suite,
            new RolloutSettings(1, 2, 1, 8, Duration.ofMinutes(1), 10),
            1f,
            1,
            replicas));
    return new Restartable(source, verifier, events, new TaskId(suite.generator(1).next().id()));
  }

  /** A policy store that serves {@code weights} to every fetch that asks for them or older. */
  static Behavior<WeightsProtocol.Command> serving(FlatWeights weights) {
    return Behaviors.setup(
        ctx -> {
          TestPlane plane = new TestPlane(ctx.getSystem());
          return Behaviors.receiveMessage(
              command -> {
                if (command instanceof FetchLatest fetch) {
                  if (fetch.atLeast().isNewerThan(weights.version())) {
                    fetch
                        .replyTo()
                        .tell(new WeightsProtocol.NotAvailable(fetch.atLeast(), weights.version()));
                  } else {
                    plane.offer(fetch, weights);
                  }
                }
                return Behaviors.same();
              });
        });
  }

  /** The restarts in the next status report of {@code actor} that counts any. */
  static int restartsReported(TestProbe<TrainingEvent> events, String actor) {
    return ((TrainingEvent.ActorStatus)
            events
                .fishForMessage(
                    WAIT,
                    e ->
                        e instanceof TrainingEvent.ActorStatus s
                                && s.actor().equals(actor)
                                && s.restarts() > 0
                            ? FishingOutcomes.complete()
                            : FishingOutcomes.continueAndIgnore())
                .get(0))
        .restarts();
  }

  /** A worker of a fixed added episode time, its probes, and version 3 loaded from the store. */
  private record Rig(
      ArithmeticSuite suite,
      TestProbe<TaskSource.Command> source,
      TestProbe<VerifierProtocol.Command> verifier,
      Duration episodeTime) {}

  private Rig startWorker(Duration episodeTime) {
    var suite = ArithmeticSuite.singleDigit();
    TestProbe<TaskSource.Command> source = testKit.createTestProbe();
    TestProbe<VerifierProtocol.Command> verifier = testKit.createTestProbe();
    TestProbe<WeightsProtocol.Command> store = testKit.createTestProbe();
    var receptionist = testKit.system().receptionist();
    receptionist.tell(Receptionist.register(TaskSource.SERVICE_KEY, source.getRef()));
    receptionist.tell(Receptionist.register(ServiceKeys.verifiers("arith"), verifier.getRef()));
    receptionist.tell(Receptionist.register(ServiceKeys.POLICY_STORE, store.getRef()));
    testKit.spawn(
        RolloutWorker.create(
            "w",
            suite,
            new RolloutSettings(
                1,
                2,
                1,
                8,
                Duration.ofMinutes(1),
                10,
                new DelayDistribution(DelayDistribution.Kind.FIXED, episodeTime, 0, episodeTime)),
            1f,
            1,
            () -> Policy.create(SPEC, Device.cpu(), 1)));
    FetchLatest fetch = store.expectMessageClass(FetchLatest.class, WAIT);
    try (Policy learner = Policy.create(SPEC, Device.cpu(), 7)) {
      plane().offer(fetch, learner.exportWeights(PolicyVersion.of(3)));
    }
    return new Rig(suite, source, verifier, episodeTime);
  }

  private static void lease(TaskRequests.RequestTasks request, long id, TaskId task) {
    request
        .replyTo()
        .tell(new TaskRequests.Leases(List.of(new TaskRequests.Lease(new LeaseId(id), task, 2))));
  }
}
