package verity.reward;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.Restarting;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.cluster.StatusReporter;
import verity.actors.cluster.Topics;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Verdict;
import verity.actors.protocol.VerifierProtocol;
import verity.actors.protocol.VerifierProtocol.VerifyBatch;
import verity.envs.Suite;
import verity.reward.VerificationQueue.Item;

/**
 * The verifier pool of one suite on a reward node. It takes a batch only if its bounded queue has
 * room and the suite is not paused (otherwise the worker keeps the batch: back-pressure), runs at
 * most {@code parallelism} checks at once on its own dispatcher, gives a check that outlives its
 * deadline the verdict {@code timeout}, and retries only infrastructure failures (a sandbox that
 * cannot run), never a wrong answer. Repeated infrastructure failures open a circuit breaker that
 * pauses the suite until it resets ({@link CheckRunner}). A batch goes to the learner when all of
 * it is scored.
 *
 * <p>A worker that hears no answer in time offers its batch again, maybe to the same verifier: a
 * batch that this verifier holds or has finished is answered {@code Accepted} again and neither
 * queued nor scored twice ({@link VerificationQueue}).
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

  /** A check's outcome; {@code incarnation} tells an earlier incarnation's checks apart. */
  private record Checked(
      Item<ActorRef<VerifierProtocol.Reply>> item, CheckRunner.Outcome outcome, int incarnation)
      implements Command, LocalOnly {}

  /** The circuit breaker is now {@code state}: open, half-open or closed. */
  private record BreakerChanged(String state) implements Command, LocalOnly {}

  private enum Signal implements Command, LocalOnly {
    DRAIN,
    REPORT
  }

  private final String name;
  private final Suite suite;
  private final RewardSettings settings;
  private final TimerScheduler<Command> timers;
  private final CheckRunner checks;
  private final VerificationQueue<ActorRef<VerifierProtocol.Reply>> taken;
  private final VerifierCounts counts = new VerifierCounts();
  private final TrajectorySamples samples;
  private final ActorRef<Topic.Command<TrainingEvent>> events;
  private final StatusReporter status;
  private final Consumer<VerifyBatch> accepted;

  /** How often this verifier was restarted before this incarnation. */
  private final int restarts;

  /** Scored batches the learner has not been sent yet (none is known, or none was). */
  private final List<ScoredTrajectory> unsent = new ArrayList<>();

  private Optional<ActorRef<LearnerProtocol.Command>> learner = Optional.empty();
  private int running;
  private String breakerState = "closed";

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
    return Restarting.<Command>withBackoff(
        settings.restart(),
        (ctx, timers, restarts) ->
            new RewardVerifier(ctx, timers, name, suite, executor, settings, accepted, restarts));
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
    ActorRef<Command> self = ctx.getSelf();
    this.checks =
        new CheckRunner(
            new TrajectoryScorer(suite, executor),
            ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER)),
            settings,
            name.hashCode(),
            ctx.getSystem().classicSystem().scheduler(),
            state -> self.tell(new BreakerChanged(state)));
    this.taken = new VerificationQueue<>(settings.queueCapacity());
    this.samples = new TrajectorySamples(suite, name);
    this.events = Topics.trainingEvents(ctx);
    this.status = new StatusReporter(ctx, name, "verifier");
    status.restarts(restarts);
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
        .onMessage(BreakerChanged.class, this::onBreakerChanged)
        .build();
  }

  private Behavior<Command> onRequest(Request r) {
    VerifyBatch batch = (VerifyBatch) r.message();
    ActorRef<VerifierProtocol.Reply> worker = batch.replyTo();
    switch (taken.offer(worker, batch.batch(), batch.trajectories(), checks.paused())) {
      case TAKEN -> {
        worker.tell(new VerifierProtocol.Accepted(batch.batch()));
        accepted.accept(batch);
        drain();
      }
      // Offered again (the worker heard no answer in time): it is taken already.
      case TAKEN_BEFORE -> worker.tell(new VerifierProtocol.Accepted(batch.batch()));
      case PAUSED ->
          reject(batch, "suite " + suite.name() + " paused: verifier circuit breaker open");
      case FULL -> reject(batch, "queue full (" + taken.held() + " of " + taken.capacity() + ")");
    }
    return this;
  }

  private void reject(VerifyBatch batch, String reason) {
    batch.replyTo().tell(new VerifierProtocol.Rejected(batch.batch(), reason));
  }

  private void drain() {
    while (running < settings.parallelism() && !checks.paused()) {
      Optional<Item<ActorRef<VerifierProtocol.Reply>>> next = taken.next();
      if (next.isEmpty()) {
        return;
      }
      start(next.get());
    }
  }

  private void start(Item<ActorRef<VerifierProtocol.Reply>> item) {
    running++;
    int incarnation = restarts;
    getContext()
        .pipeToSelf(
            checks.start(item.trajectory()),
            (outcome, never) -> new Checked(item, outcome, incarnation));
  }

  private Behavior<Command> onChecked(Checked c) {
    if (c.incarnation() != restarts) {
      return this; // its batch was lost with the incarnation that took it
    }
    running--;
    if (c.outcome().infrastructure() != null) {
      counts.infrastructureFailure();
      getContext()
          .getLog()
          .warn(
              "{}: infrastructure failure checking {} (retrying): {}",
              name,
              c.item().trajectory().id(),
              c.outcome().infrastructure().toString());
      taken.retry(c.item());
      timers.startSingleTimer(Signal.DRAIN, settings.retryBackoff());
      return this;
    }
    Verdict v = c.outcome().judged().verdict();
    if (samples.sampled(counts.scored(v))) {
      String detail = c.outcome().judged().detail();
      events.tell(Topic.publish(samples.of(c.item().trajectory(), v, detail)));
    }
    Optional<List<ScoredTrajectory>> done = taken.scored(c.item(), v);
    if (done.isPresent()) {
      unsent.addAll(done.get());
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

  private Behavior<Command> onBreakerChanged(BreakerChanged b) {
    String state = b.state();
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

  private Behavior<Command> onReport() {
    events.tell(Topic.publish(counts.report(name, suite.name(), taken.held(), breakerState)));
    return this;
  }

  /** The periodic report: the verifier report, the actor status and the next sampling stride. */
  private Behavior<Command> onPeriodicReport() {
    onReport();
    samples.secondPassed(counts.scored());
    status
        .state(VerifierCounts.state(breakerState, running, taken.held()))
        .queue(taken.queued())
        .inFlight(running)
        .processed(counts.scored())
        .latency(counts.latency())
        .errors(counts.infrastructureFailures())
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
