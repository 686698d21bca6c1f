package verity.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.pattern.CircuitBreakerOpenException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.actors.config.DelayDistribution;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.envs.arith.ArithmeticSuite;
import verity.reward.CheckRunner.Outcome;
import verity.reward.TrajectoryScorer.Judgement;

/** One check as a verifier runs it: deadline, added latency, failures told apart, the breaker. */
class CheckRunnerTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  /** Only for the circuit breaker's scheduler. */
  static ActorTestKit testKit;

  static ExecutorService executor;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("check-runner");
    executor = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stop() {
    executor.shutdownNow();
    testKit.shutdownTestKit();
  }

  static RewardSettings settings(Duration deadline, int breakerFailures) {
    return new RewardSettings(
        2,
        100,
        deadline,
        breakerFailures,
        Duration.ofMinutes(5),
        Duration.ofMillis(20),
        DelayDistribution.NONE);
  }

  static CheckRunner runner(
      PlanExecutor plans, String suite, RewardSettings settings, List<String> breaker) {
    TrajectoryScorer scorer =
        new TrajectoryScorer(
            suite.equals("arith")
                ? ArithmeticSuite.singleDigit()
                : new RewardVerifierTest.ProgramSuite(suite),
            plans);
    return new CheckRunner(
        scorer, executor, settings, 1, testKit.system().classicSystem().scheduler(), breaker::add);
  }

  static Trajectory arith(String answer) {
    return TrajectoryScorerTest.trajectory("arith", "3+4", TrajectoryScorerTest.PROMPT_IDS, answer);
  }

  static Outcome outcome(CheckRunner runner, Trajectory t) throws Exception {
    return runner.start(t).toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void shouldGiveTheScorersVerdictWithTheAddedLatencyInItsTime() throws Exception {
    CheckRunner runner = runner(PlanExecutor.pureOnly(), "arith", settings(WAIT, 5), List.of());
    Judgement j =
        runner.check(arith("7"), Duration.ofMillis(50)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(Verdict.Reason.CORRECT, j.verdict().reason());
    assertTrue(j.verdict().millis() >= 50, "the added 50 ms count: " + j.verdict().millis());
  }

  @Test
  void shouldGiveTheVerdictTimeoutToACheckThatOutlivesTheDeadline() throws Exception {
    CheckRunner runner =
        runner(PlanExecutor.pureOnly(), "arith", settings(Duration.ofMillis(50), 5), List.of());
    Judgement j =
        runner.check(arith("7"), Duration.ofSeconds(5)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(Verdict.Reason.TIMEOUT, j.verdict().reason());
    assertEquals(50, j.verdict().millis());
  }

  @Test
  void shouldStartTheDeadlineWhenTheCheckStartsNotWhileItWaitsForAThread() throws Exception {
    ExecutorService oneThread = Executors.newSingleThreadExecutor();
    try {
      CheckRunner runner =
          new CheckRunner(
              new TrajectoryScorer(ArithmeticSuite.singleDigit(), PlanExecutor.pureOnly()),
              oneThread,
              settings(Duration.ofMillis(300), 5),
              1,
              testKit.system().classicSystem().scheduler(),
              s -> {});
      CountDownLatch busy = new CountDownLatch(1);
      oneThread.execute(
          () -> {
            busy.countDown();
            sleep(Duration.ofMillis(600)); // another check holds the only thread
          });
      busy.await();
      Judgement j =
          runner.check(arith("7"), Duration.ZERO).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertEquals(Verdict.Reason.CORRECT, j.verdict().reason(), j.toString());
    } finally {
      oneThread.shutdownNow();
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void shouldRetryInfrastructureFailuresAndCallAnythingElseThrownACrash() {
    var sandbox = new ProgramRunner.SandboxUnavailableException("bwrap: cannot start", null);
    Outcome retried = CheckRunner.outcome(null, new CompletionException(sandbox));
    assertNull(retried.judged());
    assertEquals(sandbox, retried.infrastructure());
    assertInstanceOf(
        CircuitBreakerOpenException.class,
        CheckRunner.outcome(
                null,
                new CircuitBreakerOpenException(scala.concurrent.duration.Duration.Zero(), ""))
            .infrastructure());
    assertInstanceOf(
        TimeoutException.class,
        CheckRunner.outcome(null, new TimeoutException("breaker call timeout")).infrastructure());

    Outcome crashed =
        CheckRunner.outcome(null, new CompletionException(new StackOverflowError("deep")));
    assertNull(crashed.infrastructure());
    assertEquals(Verdict.Reason.CRASHED, crashed.judged().verdict().reason());
    assertTrue(crashed.judged().detail().contains("StackOverflowError"), crashed.judged().detail());
  }

  @Test
  void shouldPauseChecksAfterRepeatedInfrastructureFailuresButNotAfterWrongAnswers()
      throws Exception {
    List<String> breaker = new CopyOnWriteArrayList<>();
    ProgramRunner broken =
        program -> {
          throw new ProgramRunner.SandboxUnavailableException("bwrap: no user namespaces", null);
        };
    CheckRunner runner = runner(new PlanExecutor(broken), "broken", settings(WAIT, 2), breaker);
    Trajectory t = RewardVerifierTest.ProgramSuite.trajectories("broken", 1).get(0);
    assertInstanceOf(
        ProgramRunner.SandboxUnavailableException.class, outcome(runner, t).infrastructure());
    assertFalse(runner.paused());
    outcome(runner, t);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertTrue(runner.paused(), "two infrastructure failures open the breaker");
              assertEquals(List.of("open"), breaker);
              return null;
            });
    assertInstanceOf(CircuitBreakerOpenException.class, outcome(runner, t).infrastructure());

    CheckRunner wrong = runner(PlanExecutor.pureOnly(), "arith", settings(WAIT, 2), List.of());
    for (int i = 0; i < 3; i++) {
      assertEquals(Verdict.Reason.WRONG, outcome(wrong, arith("8")).judged().verdict().reason());
    }
    assertFalse(wrong.paused(), "a wrong answer is a verdict, not a failure");
  }

  @Test
  void shouldNotCountATimeoutVerdictAgainstTheBreaker() throws Exception {
    CheckRunner runner =
        runner(
            PlanExecutor.pureOnly(),
            "arith",
            new RewardSettings(
                2,
                100,
                Duration.ofMillis(20),
                1,
                Duration.ofMinutes(5),
                Duration.ofMillis(20),
                new DelayDistribution(
                    DelayDistribution.Kind.FIXED, Duration.ofSeconds(5), 0, Duration.ofSeconds(5))),
            List.of());
    assertEquals(Verdict.Reason.TIMEOUT, outcome(runner, arith("7")).judged().verdict().reason());
    assertFalse(runner.paused());
  }
}
