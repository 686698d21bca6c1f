package verity.reward;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import akka.pattern.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.Restarting;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.cluster.StatusReporter;
import verity.actors.cluster.Topics;
import verity.actors.metrics.LatencyWindow;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.actors.protocol.VerifierProtocol;
import verity.actors.protocol.VerifierProtocol.VerifyBatch;
import verity.envs.Suite;

/**
 * The verifier pool of one suite on a reward node. It takes a batch only if its bounded queue has
 * room and the suite is not paused (otherwise the worker keeps the batch: back-pressure), runs at
 * most {@code parallelism} checks at once on its own dispatcher, gives a check that outlives its
 * deadline the verdict {@code timeout}, and retries only infrastructure failures (a sandbox that
 * cannot run), never a wrong answer. Repeated infrastructure failures open a circuit breaker that
 * pauses the suite until it resets. A batch goes to the learner when all of it is scored.
 *
 * <p>A worker that hears no answer in time offers its batch again, maybe to the same verifier: a
 * batch that this verifier holds or has finished is answered {@code Accepted} again and neither
 * queued nor scored twice ({@link FinishedBatches}).
 *
 * <p>A failure of the verifier itself (a bug; a check that throws is a verdict) restarts it after a
 * back-off; the batches it had taken are lost with it (their leases expire and go out again), and
 * its status reports count the restarts.
 */
public final class RewardVerifier extends AbstractBehavior<RewardVerifier.Command> {
  public static final String DISPATCHER = "verity.reward.dispatcher";
  private static final Duration REPORT_INTERVAL = Duration.ofSeconds(1);

  /** A message a verifier accepts. */
  public sealed interface Command extends VerityMessage {}

  private record Request(VerifierProtocol.Command message) implements Command, LocalOnly {}

  private record Learners(Set<ActorRef<LearnerProtocol.Command>> learners)
      implements Command, LocalOnly {}

  /** A check's result; {@code incarnation} tells an earlier incarnation's checks apart. */
  private record Checked(
      Item item, TrajectoryScorer.Judgement judged, Throwable infrastructure, int incarnation)
      implements Command, LocalOnly {}

  private enum Signal implements Command, LocalOnly {
    DRAIN,
    REPORT,
    BREAKER_OPEN,
    BREAKER_HALF_OPEN,
    BREAKER_CLOSED
  }

  /** One trajectory of an accepted batch. */
  private record Item(BatchKey batch, int index, Trajectory trajectory) {}

  /** Batches are numbered by their workers; the key keeps two workers' numbers apart. */
  private record BatchKey(ActorRef<VerifierProtocol.Reply> worker, long batch) {}

  private static final class Pending {
    final ScoredTrajectory[] scored;
    int remaining;

    Pending(int size) {
      scored = new ScoredTrajectory[size];
      remaining = size;
    }
  }

  private final String name;
  private final Suite suite;
  private final RewardSettings settings;
  private final TrajectoryScorer scorer;
  private final Executor executor;
  private final TimerScheduler<Command> timers;
  private final CircuitBreaker breaker;
  private final ActorRef<Topic.Command<TrainingEvent>> events;
  private final Map<BatchKey, Pending> batches = new HashMap<>();

  /**
   * Workers whose finished batches are remembered: far more than a cluster runs at once, so only
   * workers long gone (restarted elsewhere under a new address) are forgotten.
   */
  private static final int REMEMBERED_WORKERS = 4096;

  private final FinishedBatches<ActorRef<VerifierProtocol.Reply>> finished =
      new FinishedBatches<>(REMEMBERED_WORKERS);
  private final ArrayDeque<Item> queue = new ArrayDeque<>();
  private final List<ScoredTrajectory> unsent = new ArrayList<>();
  private final LatencyWindow latency = new LatencyWindow(2048);

  /** Draws the added latency of each check, on the actor's thread. */
  private final java.util.SplittableRandom latencyRandom;

  private final long[] byReason = new long[Verdict.Reason.values().length];
  private Optional<ActorRef<LearnerProtocol.Command>> learner = Optional.empty();
  private int held;
  private int running;
  private long scored;
  private long infrastructureFailures;
  private String breakerState = "closed";
  private final StatusReporter status;
  private final Consumer<VerifyBatch> accepted;

  /** How often this verifier was restarted before this incarnation. */
  private final int restarts;

  /** Trajectories sampled for the console per second, at most; spread over the second. */
  private static final int SAMPLES_PER_SECOND = 16;

  private long scoredAtLastReport;
  private long sampleStride = 1;

  public static Behavior<Command> create(
      String name, Suite suite, PlanExecutor executor, RewardSettings settings) {
    return create(name, suite, executor, settings, batch -> {});
  }

  /**
   * @param accepted told each batch the verifier takes, on the actor's thread: a seam for tests,
   *     which fail the verifier through it
   */
  static Behavior<Command> create(
      String name,
      Suite suite,
      PlanExecutor executor,
      RewardSettings settings,
      Consumer<VerifyBatch> accepted) {
    return Restarting.withBackoff(
        settings.restartMinBackoff(),
        settings.restartMaxBackoff(),
        restarts ->
            Behaviors.<Command>setup(
                ctx ->
                    Behaviors.withTimers(
                        timers ->
                            new RewardVerifier(
                                ctx, timers, name, suite, executor, settings, accepted,
                                restarts))));
  }

  private RewardVerifier(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String name,
      Suite suite,
      PlanExecutor executor,
      RewardSettings settings,
      Consumer<VerifyBatch> accepted,
      int restarts) {
    super(ctx);
    this.accepted = accepted;
    this.restarts = restarts;
    this.name = name;
    this.suite = suite;
    this.settings = settings;
    this.timers = timers;
    this.scorer = new TrajectoryScorer(suite, executor);
    this.latencyRandom = new java.util.SplittableRandom(name.hashCode());
    this.executor = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER));
    this.events = Topics.trainingEvents(ctx);
    this.status = new StatusReporter(ctx, name, "verifier");
    status.restarts(restarts);
    ActorRef<Command> self = ctx.getSelf();
    // The breaker only counts infrastructure failures; its own call timeout is a backstop well
    // past the verification deadline, which is a verdict, not a failure.
    this.breaker =
        CircuitBreaker.create(
                ctx.getSystem().classicSystem().scheduler(),
                settings.breakerMaxFailures(),
                settings.deadline().multipliedBy(3),
                settings.breakerResetTimeout())
            .addOnOpenListener(() -> self.tell(Signal.BREAKER_OPEN))
            .addOnHalfOpenListener(() -> self.tell(Signal.BREAKER_HALF_OPEN))
            .addOnCloseListener(() -> self.tell(Signal.BREAKER_CLOSED));
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.register(
                ServiceKeys.verifiers(suite.name()),
                ctx.messageAdapter(VerifierProtocol.Command.class, Request::new)));
    ServiceWatcher.spawn(ctx, ServiceKeys.LEARNER, Learners::new);
    timers.startTimerWithFixedDelay(Signal.REPORT, REPORT_INTERVAL);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Request.class, this::onRequest)
        .onMessage(Learners.class, this::onLearners)
        .onMessage(Checked.class, this::onChecked)
        .onMessageEquals(Signal.DRAIN, this::onDrain)
        .onMessageEquals(Signal.REPORT, this::onPeriodicReport)
        .onMessageEquals(Signal.BREAKER_OPEN, () -> onBreaker("open"))
        .onMessageEquals(Signal.BREAKER_HALF_OPEN, () -> onBreaker("half-open"))
        .onMessageEquals(Signal.BREAKER_CLOSED, () -> onBreaker("closed"))
        .build();
  }

  private Behavior<Command> onRequest(Request r) {
    VerifyBatch batch = (VerifyBatch) r.message();
    int size = batch.trajectories().size();
    BatchKey key = new BatchKey(batch.replyTo(), batch.batch());
    if (batches.containsKey(key) || finished.contains(key.worker(), key.batch())) {
      // Offered again (the worker heard no answer in time): it is taken already.
      batch.replyTo().tell(new VerifierProtocol.Accepted(batch.batch()));
      return this;
    }
    if (breaker.isOpen()) {
      batch
          .replyTo()
          .tell(
              new VerifierProtocol.Rejected(
                  batch.batch(),
                  "suite " + suite.name() + " paused: verifier circuit breaker open"));
      return this;
    }
    if (held + size > settings.queueCapacity()) {
      batch
          .replyTo()
          .tell(
              new VerifierProtocol.Rejected(
                  batch.batch(), "queue full (" + held + " of " + settings.queueCapacity() + ")"));
      return this;
    }
    batches.put(key, new Pending(size));
    for (int i = 0; i < size; i++) {
      queue.add(new Item(key, i, batch.trajectories().get(i)));
    }
    held += size;
    batch.replyTo().tell(new VerifierProtocol.Accepted(batch.batch()));
    accepted.accept(batch);
    drain();
    return this;
  }

  private void drain() {
    while (running < settings.parallelism() && !queue.isEmpty() && !breaker.isOpen()) {
      start(queue.poll());
    }
  }

  private void start(Item item) {
    running++;
    Duration extra = settings.addedLatency().sample(latencyRandom);
    CompletableFuture<TrajectoryScorer.Judgement> check =
        breaker
            .callWithCircuitBreakerCS(
                () ->
                    CompletableFuture.supplyAsync(() -> scorer.judge(item.trajectory()), executor)
                        .thenCompose(v -> withAddedLatency(v, extra))
                        .completeOnTimeout(
                            timeout(),
                            settings.deadline().toMillis(),
                            java.util.concurrent.TimeUnit.MILLISECONDS),
                (ok, err) -> err.isPresent() && isInfrastructure(err.get()))
            .toCompletableFuture();
    int incarnation = restarts;
    getContext()
        .pipeToSelf(
            check,
            (judged, err) ->
                err == null
                    ? new Checked(item, judged, null, incarnation)
                    : isInfrastructure(err)
                        ? new Checked(item, null, unwrap(err), incarnation)
                        : new Checked(
                            item,
                            new TrajectoryScorer.Judgement(
                                new Verdict(0, Verdict.Reason.CRASHED, 0), unwrap(err).toString()),
                            null,
                            incarnation));
  }

  /** The verdict after the configured extra latency, which its time includes. */
  private CompletableFuture<TrajectoryScorer.Judgement> withAddedLatency(
      TrajectoryScorer.Judgement j, Duration extra) {
    if (extra.isZero()) {
      return CompletableFuture.completedFuture(j);
    }
    Verdict v = j.verdict();
    return CompletableFuture.supplyAsync(
        () ->
            new TrajectoryScorer.Judgement(
                new Verdict(v.reward(), v.reason(), v.millis() + extra.toNanos() / 1e6),
                j.detail()),
        CompletableFuture.delayedExecutor(
            extra.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS, executor));
  }

  private TrajectoryScorer.Judgement timeout() {
    return new TrajectoryScorer.Judgement(
        new Verdict(0, Verdict.Reason.TIMEOUT, settings.deadline().toMillis()),
        "no verdict within the deadline of " + settings.deadline().toMillis() + " ms");
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static boolean isInfrastructure(Throwable t) {
    Throwable cause = unwrap(t);
    return cause instanceof ProgramRunner.SandboxUnavailableException
        || cause instanceof akka.pattern.CircuitBreakerOpenException
        || cause instanceof TimeoutException;
  }

  private Behavior<Command> onChecked(Checked c) {
    if (c.incarnation() != restarts) {
      return this; // its batch was lost with the incarnation that took it
    }
    running--;
    if (c.infrastructure() != null) {
      infrastructureFailures++;
      getContext()
          .getLog()
          .warn(
              "{}: infrastructure failure checking {} (retrying): {}",
              name,
              c.item().trajectory().id(),
              c.infrastructure().toString());
      queue.addFirst(c.item());
      timers.startSingleTimer(Signal.DRAIN, settings.retryBackoff());
      return this;
    }
    Verdict v = c.judged().verdict();
    scored++;
    if (scored % sampleStride == 0) {
      publishSample(c.item().trajectory(), v, c.judged().detail());
    }
    byReason[v.reason().ordinal()]++;
    latency.add(v.millis());
    Pending pending = batches.get(c.item().batch());
    pending.scored[c.item().index()] = new ScoredTrajectory(c.item().trajectory(), v);
    if (--pending.remaining == 0) {
      batches.remove(c.item().batch());
      finished.add(c.item().batch().worker(), c.item().batch().batch());
      held -= pending.scored.length;
      unsent.addAll(Arrays.asList(pending.scored));
      flush();
      onReport();
    }

    drain();
    return this;
  }

  private Behavior<Command> onDrain() {
    drain();
    return this;
  }

  private Behavior<Command> onBreaker(String state) {
    breakerState = state;
    if (state.equals("open")) {
      getContext()
          .getLog()
          .warn(
              "{}: suite {} paused: circuit breaker open after {} infrastructure failures; retry in {}",
              name,
              suite.name(),
              settings.breakerMaxFailures(),
              settings.breakerResetTimeout());
    } else {
      getContext().getLog().info("{}: circuit breaker {}", name, state);
      drain();
    }
    onReport();
    return this;
  }

  /** Publishes one scored trajectory, as text, for the console's trajectory inspector. */
  private void publishSample(Trajectory t, Verdict v, String detail) {
    String prompt;
    String completion;
    try {
      prompt = suite.vocabulary().decode(suite.lookup(t.task().value()).prompt());
      completion = suite.completionText(t.actions());
    } catch (RuntimeException e) {
      prompt = "(task " + t.task().value() + " not in this verifier's suite)";
      completion = "(not decodable: " + e.getMessage() + ")";
    }
    long[] versions =
        t.segments().stream().mapToLong(s -> s.version().value()).distinct().toArray();
    events.tell(
        Topic.publish(
            new TrainingEvent.TrajectorySample(
                t.id().toString(),
                t.suite(),
                t.task().value(),
                v.reason().label(),
                v.reward(),
                detail,
                prompt,
                completion,
                versions,
                t.worker(),
                name,
                v.millis(),
                t.actions().length)));
  }

  private Behavior<Command> onReport() {
    double[] p50p99 = latency.quantiles(0.5, 0.99);
    events.tell(
        Topic.publish(
            new TrainingEvent.VerifierReport(
                name,
                suite.name(),
                scored,
                byReason.clone(),
                p50p99[0],
                p50p99[1],
                held,
                breakerState,
                infrastructureFailures)));
    return this;
  }

  /** The periodic report: the verifier report, the actor status and the next sampling stride. */
  private Behavior<Command> onPeriodicReport() {
    onReport();
    sampleStride = Math.max(1, (scored - scoredAtLastReport) / SAMPLES_PER_SECOND);
    scoredAtLastReport = scored;
    String state =
        !breakerState.equals("closed")
            ? "breaker-" + breakerState
            : running > 0 ? "checking" : held > 0 ? "holding" : "idle";
    status
        .state(state)
        .queue(queue.size())
        .inFlight(running)
        .processed(scored)
        .latency(latency)
        .errors(infrastructureFailures)
        .publish();
    return this;
  }

  private Behavior<Command> onLearners(Learners l) {
    learner = l.learners().stream().findFirst();
    flush();
    return this;
  }

  private void flush() {
    if (learner.isPresent() && !unsent.isEmpty()) {
      learner.get().tell(new LearnerProtocol.ScoredBatch(unsent));
      unsent.clear();
    }
  }
}
