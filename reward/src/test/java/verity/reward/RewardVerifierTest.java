package verity.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.Topics;
import verity.actors.cluster.VerityNode;
import verity.actors.config.DelayDistribution;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.actors.protocol.VerifierProtocol;
import verity.envs.CheckPlan;
import verity.envs.CheckResult;
import verity.envs.Environment;
import verity.envs.Split;
import verity.envs.SplitTasks;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.envs.arith.ArithmeticSuite;

/** The verifier pool: back-pressure, deadlines, infrastructure retries and the circuit breaker. */
class RewardVerifierTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  ActorTestKit testKit;
  TestProbe<LearnerProtocol.Command> learner;
  TestProbe<VerifierProtocol.Reply> worker;

  @BeforeEach
  void start() {
    testKit =
        ActorTestKit.create(
            "reward",
            VerityNode.load(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0")));
    VerityNode.joinSelf(testKit.system());
    learner = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(ServiceKeys.LEARNER, learner.getRef()));
    worker = testKit.createTestProbe();
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  static RewardSettings settings(int capacity, Duration deadline, int breakerFailures) {
    return settings(capacity, deadline, breakerFailures, DelayDistribution.NONE);
  }

  static RewardSettings settings(
      int capacity, Duration deadline, int breakerFailures, DelayDistribution added) {
    return new RewardSettings(
        2,
        capacity,
        deadline,
        breakerFailures,
        Duration.ofMinutes(5),
        Duration.ofMillis(20),
        added);
  }

  ActorRef<VerifierProtocol.Command> verifierOf(String suite) {
    TestProbe<Receptionist.Listing> listing = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.subscribe(ServiceKeys.verifiers(suite), listing.getRef()));
    Set<ActorRef<VerifierProtocol.Command>> refs = Set.of();
    while (refs.isEmpty()) {
      refs = listing.receiveMessage(WAIT).getServiceInstances(ServiceKeys.verifiers(suite));
    }
    return refs.iterator().next();
  }

  static List<Trajectory> arith(String... answers) {
    int[] prompt = TrajectoryScorerTest.PROMPT_IDS;
    List<Trajectory> out = new ArrayList<>();
    for (String a : answers) {
      out.add(TrajectoryScorerTest.trajectory("arith", "3+4", prompt, a));
    }
    return out;
  }

  @Test
  void shouldScoreAnAcceptedBatchAndPassItToTheLearner() {
    testKit.spawn(
        RewardVerifier.create(
            "v", ArithmeticSuite.singleDigit(), PlanExecutor.pureOnly(), settings(100, WAIT, 5)));
    verifierOf("arith").tell(new VerifierProtocol.VerifyBatch(1, arith("7", "9"), worker.getRef()));
    worker.expectMessage(WAIT, new VerifierProtocol.Accepted(1));
    LearnerProtocol.ScoredBatch scored =
        learner.expectMessageClass(LearnerProtocol.ScoredBatch.class, WAIT);
    assertEquals(Verdict.Reason.CORRECT, scored.scored().get(0).verdict().reason());
    assertEquals(Verdict.Reason.WRONG, scored.scored().get(1).verdict().reason());
  }

  @Test
  void shouldAcceptABatchOfferedAgainOnceAndScoreEachTrajectoryOnce() {
    testKit.spawn(
        RewardVerifier.create(
            "v", ArithmeticSuite.singleDigit(), PlanExecutor.pureOnly(), settings(100, WAIT, 5)));
    ActorRef<VerifierProtocol.Command> verifier = verifierOf("arith");
    VerifierProtocol.VerifyBatch first =
        new VerifierProtocol.VerifyBatch(1, numbered(1, arith("7", "9")), worker.getRef());
    // The worker heard nothing within its accept timeout and offered the batch again: the second
    // offer reaches the same verifier while the first is still being scored.
    verifier.tell(first);
    verifier.tell(first);
    worker.expectMessage(WAIT, new VerifierProtocol.Accepted(1));
    worker.expectMessage(WAIT, new VerifierProtocol.Accepted(1));
    assertEquals(List.of("1/0", "1/1"), scoredIds(learner, 2));

    // Offered once more after it was scored: taken again, scored no more.
    verifier.tell(first);
    worker.expectMessage(WAIT, new VerifierProtocol.Accepted(1));
    learner.expectNoMessage(Duration.ofMillis(500));

    // And the verifier still serves the worker's next batch.
    verifier.tell(
        new VerifierProtocol.VerifyBatch(2, numbered(2, arith("7", "9")), worker.getRef()));
    worker.expectMessage(WAIT, new VerifierProtocol.Accepted(2));
    assertEquals(List.of("2/0", "2/1"), scoredIds(learner, 2));
  }

  @Test
  void shouldRestartAfterAFailureAndServeTheNextBatch() {
    TestProbe<TrainingEvent> events = testKit.createTestProbe();
    testKit
        .spawn(Topic.create(TrainingEvent.class, Topics.TRAINING_EVENTS))
        .tell(Topic.subscribe(events.getRef()));
    AtomicInteger taken = new AtomicInteger();
    testKit.spawn(
        RewardVerifier.create(
            "v",
            ArithmeticSuite.singleDigit(),
            PlanExecutor.pureOnly(),
            settings(100, WAIT, 5),
            batch -> {
              if (taken.incrementAndGet() == 1) {
                throw new IllegalStateException("verifier bug (test)");
              }
            }));
    ActorRef<VerifierProtocol.Command> verifier = verifierOf("arith");
    verifier.tell(
        new VerifierProtocol.VerifyBatch(1, numbered(1, arith("7", "9")), worker.getRef()));
    worker.expectMessage(WAIT, new VerifierProtocol.Accepted(1));

    // The batch the failed verifier had taken is lost with it (its leases expire and go out
    // again); the restarted verifier serves the next one.
    verifier.tell(new VerifierProtocol.VerifyBatch(2, numbered(2, arith("7")), worker.getRef()));
    worker.expectMessage(WAIT, new VerifierProtocol.Accepted(2));
    assertEquals(List.of("2/0"), scoredIds(learner, 1));
    TrainingEvent.ActorStatus status =
        (TrainingEvent.ActorStatus)
            events
                .fishForMessage(
                    WAIT,
                    e ->
                        e instanceof TrainingEvent.ActorStatus s && s.actor().equals("v")
                            ? FishingOutcomes.complete()
                            : FishingOutcomes.continueAndIgnore())
                .get(0);
    assertEquals(1, status.restarts());
  }

  /** The ids of the next {@code n} scored trajectories the learner receives, sorted. */
  static List<String> scoredIds(TestProbe<LearnerProtocol.Command> learner, int n) {
    List<String> ids = new ArrayList<>();
    while (ids.size() < n) {
      learner.expectMessageClass(LearnerProtocol.ScoredBatch.class, WAIT).scored().stream()
          .map(s -> s.trajectory().id().toString())
          .forEach(ids::add);
    }
    ids.sort(null);
    return ids;
  }

  /** The trajectories as samples 0, 1, ... of lease {@code lease}. */
  static List<Trajectory> numbered(long lease, List<Trajectory> trajectories) {
    List<Trajectory> out = new ArrayList<>();
    for (int i = 0; i < trajectories.size(); i++) {
      Trajectory t = trajectories.get(i);
      out.add(
          new Trajectory(
              new verity.actors.ids.TrajectoryId(new verity.actors.ids.LeaseId(lease), i),
              t.suite(),
              t.task(),
              trajectories.size(),
              t.prompt(),
              t.tokens(),
              t.policyMask(),
              t.logProbs(),
              t.completion(),
              t.segments(),
              t.worker()));
    }
    return out;
  }

  @Test
  void shouldAddTheConfiguredLatencyToEveryCheckAndTimeOutPastTheDeadline() {
    DelayDistribution fixed300 =
        new DelayDistribution(
            DelayDistribution.Kind.FIXED, Duration.ofMillis(300), 0, Duration.ofMillis(300));
    testKit.spawn(
        RewardVerifier.create(
            "slow",
            ArithmeticSuite.singleDigit(),
            PlanExecutor.pureOnly(),
            settings(100, WAIT, 5, fixed300)));
    verifierOf("arith").tell(new VerifierProtocol.VerifyBatch(1, arith("7"), worker.getRef()));
    Verdict slow =
        learner
            .expectMessageClass(LearnerProtocol.ScoredBatch.class, WAIT)
            .scored()
            .get(0)
            .verdict();
    assertEquals(Verdict.Reason.CORRECT, slow.reason());
    assertTrue(slow.millis() >= 300, "the verdict's time includes the added 300 ms: " + slow);
  }

  @Test
  void shouldTimeOutACheckWhoseAddedLatencyPassesTheDeadline() {
    DelayDistribution longTail =
        new DelayDistribution(
            DelayDistribution.Kind.FIXED, Duration.ofSeconds(5), 0, Duration.ofSeconds(5));
    testKit.spawn(
        RewardVerifier.create(
            "tail",
            ArithmeticSuite.singleDigit(),
            PlanExecutor.pureOnly(),
            settings(100, Duration.ofMillis(200), 5, longTail)));
    verifierOf("arith").tell(new VerifierProtocol.VerifyBatch(1, arith("7"), worker.getRef()));
    Verdict v =
        learner
            .expectMessageClass(LearnerProtocol.ScoredBatch.class, WAIT)
            .scored()
            .get(0)
            .verdict();
    assertEquals(Verdict.Reason.TIMEOUT, v.reason());
  }

  @Test
  void shouldRefuseABatchThatDoesNotFitItsQueue() {
    testKit.spawn(
        RewardVerifier.create(
            "v", ArithmeticSuite.singleDigit(), PlanExecutor.pureOnly(), settings(2, WAIT, 5)));
    verifierOf("arith")
        .tell(new VerifierProtocol.VerifyBatch(1, arith("7", "7", "7"), worker.getRef()));
    VerifierProtocol.Rejected r = worker.expectMessageClass(VerifierProtocol.Rejected.class, WAIT);
    assertTrue(r.reason().contains("queue full"), r.reason());
    learner.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void shouldGiveATimeoutVerdictToACheckThatOutlivesItsDeadline() {
    CountDownLatch never = new CountDownLatch(1);
    ProgramRunner hangs =
        program -> {
          try {
            never.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new IllegalStateException("released");
        };
    testKit.spawn(
        RewardVerifier.create(
            "v",
            new ProgramSuite("slow"),
            new PlanExecutor(hangs),
            settings(100, Duration.ofMillis(300), 5)));
    verifierOf("slow")
        .tell(
            new VerifierProtocol.VerifyBatch(
                1, ProgramSuite.trajectories("slow", 1), worker.getRef()));
    worker.expectMessage(WAIT, new VerifierProtocol.Accepted(1));
    LearnerProtocol.ScoredBatch scored =
        learner.expectMessageClass(LearnerProtocol.ScoredBatch.class, WAIT);
    assertEquals(Verdict.Reason.TIMEOUT, scored.scored().get(0).verdict().reason());
    never.countDown();
  }

  @Test
  void shouldRetryInfrastructureFailuresWithoutBlamingTheProgram() {
    AtomicInteger calls = new AtomicInteger();
    ProgramRunner flaky =
        program -> {
          if (calls.incrementAndGet() <= 2) {
            throw new ProgramRunner.SandboxUnavailableException("bwrap: cannot start", null);
          }
          return new CheckPlan.ProgramRun(0, "ok", "", false, false, Duration.ofMillis(1));
        };
    testKit.spawn(
        RewardVerifier.create(
            "v", new ProgramSuite("flaky"), new PlanExecutor(flaky), settings(100, WAIT, 5)));
    verifierOf("flaky")
        .tell(
            new VerifierProtocol.VerifyBatch(
                1, ProgramSuite.trajectories("flaky", 1), worker.getRef()));
    LearnerProtocol.ScoredBatch scored =
        learner.expectMessageClass(LearnerProtocol.ScoredBatch.class, WAIT);
    assertEquals(Verdict.Reason.CORRECT, scored.scored().get(0).verdict().reason());
    assertEquals(3, calls.get(), "two infrastructure failures, then the real check");
  }

  @Test
  void shouldPauseTheSuiteWhenTheSandboxKeepsFailing() {
    ProgramRunner broken =
        program -> {
          throw new ProgramRunner.SandboxUnavailableException("bwrap: no user namespaces", null);
        };
    TestProbe<TrainingEvent> events = testKit.createTestProbe();
    testKit
        .spawn(Topic.create(TrainingEvent.class, Topics.TRAINING_EVENTS))
        .tell(Topic.subscribe(events.getRef()));
    testKit.spawn(
        RewardVerifier.create(
            "v", new ProgramSuite("broken"), new PlanExecutor(broken), settings(100, WAIT, 3)));
    ActorRef<VerifierProtocol.Command> verifier = verifierOf("broken");
    verifier.tell(
        new VerifierProtocol.VerifyBatch(
            1, ProgramSuite.trajectories("broken", 2), worker.getRef()));
    worker.expectMessage(WAIT, new VerifierProtocol.Accepted(1));

    TrainingEvent.VerifierReport open =
        (TrainingEvent.VerifierReport)
            events
                .fishForMessage(
                    WAIT,
                    e ->
                        e instanceof TrainingEvent.VerifierReport r
                                && r.breaker().equals("open")
                                && r.infrastructureFailures() >= 3
                            ? FishingOutcomes.complete()
                            : FishingOutcomes.continueAndIgnore())
                .get(0);
    assertEquals(0, open.scored(), "nothing is scored against the program");
    assertEquals(2, open.queued(), "the accepted trajectories are kept, not lost");

    verifier.tell(
        new VerifierProtocol.VerifyBatch(
            2, ProgramSuite.trajectories("broken", 1), worker.getRef()));
    VerifierProtocol.Rejected r = worker.expectMessageClass(VerifierProtocol.Rejected.class, WAIT);
    assertTrue(r.reason().contains("paused"), r.reason());
    learner.expectNoMessage(Duration.ofMillis(200));
  }

  /** A suite whose every check runs a program whose output "ok" means correct. */
  static final class ProgramSuite implements Suite {
    private final String name;

    ProgramSuite(String name) {
      this.name = name;
    }

    static List<Trajectory> trajectories(String suite, int n) {
      List<Trajectory> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Trajectory t = TrajectoryScorerTest.trajectory(suite, "t", new int[] {3}, "7");
        out.add(
            new Trajectory(
                new verity.actors.ids.TrajectoryId(new verity.actors.ids.LeaseId(1), i),
                suite,
                t.task(),
                n,
                t.prompt(),
                t.tokens(),
                t.policyMask(),
                t.logProbs(),
                t.completion(),
                t.segments(),
                "w"));
      }
      return out;
    }

    record T(String id) implements Task {
      @Override
      public String prompt() {
        return "x";
      }
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public List<String> alphabet() {
      return List.of("x");
    }

    @Override
    public int maxPromptTokens() {
      return 4;
    }

    @Override
    public int maxCompletionTokens() {
      return 4;
    }

    @Override
    public boolean runsPrograms() {
      return true;
    }

    @Override
    public TaskGenerator generator(long seed) {
      return () -> new T("t");
    }

    @Override
    public SplitTasks split(Split split) {
      return new SplitTasks(Split.TRAIN, List.of(new T("t")));
    }

    @Override
    public String splitRule() {
      return "no split";
    }

    @Override
    public Task lookup(String taskId) {
      return new T(taskId);
    }

    @Override
    public Task taskFromRecord(Map<String, Object> record) {
      return new T(String.valueOf(record.get("id")));
    }

    @Override
    public Environment newEnvironment(Task task) {
      return new verity.envs.SingleTurnEnvironment();
    }

    @Override
    public CheckPlan plan(Task task, String completion) {
      CheckPlan.Limits limits =
          new CheckPlan.Limits(
              Duration.ofSeconds(1), Duration.ofSeconds(1), 1 << 28, 4, 1 << 20, 1 << 16);
      return new CheckPlan.RunProgram(
          new CheckPlan.Program("python3", completion, limits),
          run -> run.stdout().equals("ok") ? CheckResult.correct() : CheckResult.wrong());
    }
  }
}
