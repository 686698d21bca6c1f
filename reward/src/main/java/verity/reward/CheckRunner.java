package verity.reward;

import akka.actor.Scheduler;
import akka.pattern.CircuitBreaker;
import akka.pattern.CircuitBreakerOpenException;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import verity.actors.config.DelayDistribution;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.reward.TrajectoryScorer.Judgement;

/**
 * How a verifier checks one trajectory: the scorer runs on the verifier's dispatcher, its verdict
 * comes after the configured added latency (which the verdict's time includes), and a check with no
 * verdict within the deadline of its start (not of its wait for a thread) gets the verdict {@code
 * timeout}. It tells a check's failures apart: an infrastructure failure (a sandbox that cannot
 * run, the circuit breaker open, the breaker's own call timeout) is retried and counts against the
 * circuit breaker, whose opening pauses the checks; anything else a check throws is the verdict
 * {@code crashed}, never retried.
 */
final class CheckRunner {
  /** What came of a check: a verdict, or else the infrastructure failure that kept it from one. */
  record Outcome(Judgement judged, Throwable infrastructure) {}

  private final TrajectoryScorer scorer;
  private final Executor executor;
  private final Duration deadline;
  private final DelayDistribution addedLatency;
  private final CircuitBreaker breaker;

  /** Draws the added latency of each check, on the verifier's thread. */
  private final SplittableRandom random;

  /**
   * @param executor where checks run (the verifier's dispatcher)
   * @param seed of the added latencies' draws
   * @param scheduler the breaker's
   * @param breakerChanged told the breaker's new state (open, half-open, closed), on the breaker's
   *     thread
   */
  CheckRunner(
      TrajectoryScorer scorer,
      Executor executor,
      RewardSettings settings,
      long seed,
      Scheduler scheduler,
      Consumer<String> breakerChanged) {
    this.scorer = scorer;
    this.executor = executor;
    this.deadline = settings.deadline();
    this.addedLatency = settings.addedLatency();
    this.random = new SplittableRandom(seed);
    // The breaker only counts infrastructure failures; its own call timeout is a backstop well
    // past the verification deadline, which is a verdict, not a failure.
    this.breaker =
        CircuitBreaker.create(
                scheduler,
                settings.breakerMaxFailures(),
                settings.deadline().multipliedBy(3),
                settings.breakerResetTimeout())
            .addOnOpenListener(() -> breakerChanged.accept("open"))
            .addOnHalfOpenListener(() -> breakerChanged.accept("half-open"))
            .addOnCloseListener(() -> breakerChanged.accept("closed"));
  }

  /** Whether checks are paused: the circuit breaker is open. */
  boolean paused() {
    return breaker.isOpen();
  }

  /**
   * Starts the check of {@code t} through the circuit breaker; call it on the verifier's thread (it
   * draws the added latency). The outcome never fails.
   */
  CompletionStage<Outcome> start(Trajectory t) {
    // Drawn even when the breaker refuses the call, so that the draws do not depend on it.
    Duration extra = addedLatency.sample(random);
    return breaker
        .callWithCircuitBreakerCS(() -> check(t, extra), CheckRunner::failsBreaker)
        .handle(CheckRunner::outcome);
  }

  /**
   * The verdict on {@code t}, {@code extra} after the scorer gave it, or {@code timeout} when none
   * came within the deadline of the check's start: time spent waiting for one of the executor's
   * threads does not count against it.
   */
  CompletableFuture<Judgement> check(Trajectory t, Duration extra) {
    CompletableFuture<Judgement> verdict = new CompletableFuture<>();
    executor.execute(
        () -> {
          verdict.completeOnTimeout(timeout(), deadline.toMillis(), TimeUnit.MILLISECONDS);
          try {
            withAddedLatency(scorer.judge(t), extra)
                .thenAccept(verdict::complete)
                .exceptionally(
                    failed -> {
                      verdict.completeExceptionally(failed);
                      return null;
                    });
          } catch (Throwable failed) { // anything the scorer throws is the check's outcome
            verdict.completeExceptionally(failed);
          }
        });
    return verdict;
  }

  /** The verdict after {@code extra}, which its time includes. */
  private CompletableFuture<Judgement> withAddedLatency(Judgement j, Duration extra) {
    if (extra.isZero()) {
      return CompletableFuture.completedFuture(j);
    }
    Verdict v = j.verdict();
    return CompletableFuture.supplyAsync(
        () ->
            new Judgement(
                new Verdict(v.reward(), v.reason(), v.millis() + extra.toNanos() / 1e6),
                j.detail()),
        CompletableFuture.delayedExecutor(extra.toNanos(), TimeUnit.NANOSECONDS, executor));
  }

  /** The verdict of a check that outlived the deadline. */
  Judgement timeout() {
    return new Judgement(
        new Verdict(0, Verdict.Reason.TIMEOUT, deadline.toMillis()),
        "no verdict within the deadline of " + deadline.toMillis() + " ms");
  }

  /**
   * What came of a check that gave {@code judged} or failed with {@code failure}: an infrastructure
   * failure is retried; anything else it threw is the verdict {@code crashed}.
   */
  static Outcome outcome(Judgement judged, Throwable failure) {
    if (failure == null) {
      return new Outcome(judged, null);
    }
    Throwable cause = unwrap(failure);
    return isInfrastructure(failure)
        ? new Outcome(null, cause)
        : new Outcome(
            new Judgement(new Verdict(0, Verdict.Reason.CRASHED, 0), cause.toString()), null);
  }

  /** Whether a check's failure is the infrastructure's, not the trajectory's: retry it. */
  static boolean isInfrastructure(Throwable failure) {
    Throwable cause = unwrap(failure);
    return cause instanceof ProgramRunner.SandboxUnavailableException
        || cause instanceof CircuitBreakerOpenException
        || cause instanceof TimeoutException;
  }

  /** Whether a check's outcome counts as a failure for the circuit breaker. */
  private static boolean failsBreaker(Optional<?> verdict, Optional<Throwable> failure) {
    return failure.isPresent() && isInfrastructure(failure.get());
  }

  /** The failure itself, not the wrapper a completion stage adds. */
  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
