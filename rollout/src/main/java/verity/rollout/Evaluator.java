package verity.rollout;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ComputeDispatcher;
import verity.actors.cluster.NodeIdentity;
import verity.actors.cluster.Restarting;
import verity.actors.cluster.StatusReporter;
import verity.actors.cluster.Topics;
import verity.actors.ids.PolicyVersion;
import verity.actors.metrics.LatencyWindow;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.TrainingEvent.EvaluationCompleted;
import verity.actors.weights.FlatWeights;
import verity.envs.CheckResult;
import verity.envs.Split;
import verity.envs.SplitTasks;
import verity.envs.Suite;
import verity.envs.Task;
import verity.policy.NativeWork;
import verity.policy.Policy;
import verity.policy.ReplicaFactory;

/**
 * Measures greedy pass@1 with its own replica: on the suite's validation split for the first
 * version, then every {@code evaluateEverySteps} versions, and on request; on its test split for
 * the first version and on request only (a run's final evaluation), so that the periodic cost is
 * one split's. Results name both what they are for and the split their tasks are from ({@code
 * train} for a suite that holds nothing out). Results go to the training-events topic, and once a
 * second its status.
 *
 * <p>A failure (the replica cannot start, an evaluation throws) restarts it after a back-off with a
 * fresh replica; it then evaluates the newest version again, and requests it had not answered are
 * lost (their askers ask again). Its status reports count the restarts.
 */
public final class Evaluator extends AbstractBehavior<Evaluator.Command> {

  /** A message the evaluator accepts. */
  public sealed interface Command extends VerityMessage {}

  /**
   * Evaluate a version at least as new as {@code atLeast} on {@code split} ({@code VALIDATION} or
   * {@code TEST}; a request for {@code TRAIN} is refused with a log line) and tell {@code replyTo}.
   */
  public record Evaluate(PolicyVersion atLeast, Split split, ActorRef<EvaluationCompleted> replyTo)
      implements Command {}

  private record ReplicaReady(Policy policy) implements Command, LocalOnly {}

  private record Fetched(WeightsFollower.WeightsReady ready) implements Command, LocalOnly {}

  private record Seen(WeightsFollower.VersionSeen seen) implements Command, LocalOnly {}

  /** An evaluation's result; {@code incarnation} tells an earlier incarnation's apart. */
  private record Evaluated(EvaluationCompleted result, Split split, double millis, int incarnation)
      implements Command, LocalOnly {}

  /** Building the replica or an evaluation failed: the evaluator fails, and is restarted. */
  private record Failed(String what, Throwable cause, int incarnation)
      implements Command, LocalOnly {}

  /** Publish the evaluator's status. */
  private enum Report implements Command, LocalOnly {
    INSTANCE
  }

  private static final Duration REPORT_INTERVAL = Duration.ofSeconds(1);

  private final Suite suite;
  private final BiFunction<Task, String, CheckResult> checker;
  private final Executor compute;
  private final ActorRef<Topic.Command<TrainingEvent>> events;

  /** Test first: a run's final evaluation is a test request and waits for no validation. */
  private final Map<Split, EvaluationSchedule<Evaluate>> schedules = new EnumMap<>(Split.class);

  private final Map<Split, EvaluationCompleted> lastResults = new EnumMap<>(Split.class);
  private Policy policy;
  private final ActorRef<WeightsFollower.Command> follower;

  /** The newest version known to exist (announced, offered or asked about). */
  private PolicyVersion seen;

  /** A version fetched for an evaluation and not yet imported; null otherwise. */
  private FlatWeights fetched;

  /** The version the replica holds, or null before the first import. */
  private PolicyVersion imported;

  /** The follower was asked for the newest version and has not delivered it yet. */
  private boolean asked;

  private EvaluationCompleted lastResult;
  private boolean evaluating;
  private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
  private final int restarts;
  private final StatusReporter status;
  private final LatencyWindow evaluationMillis = new LatencyWindow(64);
  private long evaluations;

  /**
   * An evaluator under supervision, with the interval and restart back-off of the rollout settings
   * the system was started with.
   */
  public static Behavior<Command> create(
      Suite suite,
      BiFunction<Task, String, CheckResult> checker,
      int evaluateEverySteps,
      ReplicaFactory replicas) {
    return Behaviors.setup(
        ctx -> {
          RolloutSettings settings = RolloutSettings.from(ctx.getSystem().settings().config());
          return supervised(suite, checker, evaluateEverySteps, settings, replicas);
        });
  }

  /** An evaluator under supervision, restarted with the back-off of {@code settings}. */
  public static Behavior<Command> create(
      Suite suite,
      BiFunction<Task, String, CheckResult> checker,
      RolloutSettings settings,
      ReplicaFactory replicas) {
    return supervised(suite, checker, settings.evaluateEverySteps(), settings, replicas);
  }

  private static Behavior<Command> supervised(
      Suite suite,
      BiFunction<Task, String, CheckResult> checker,
      int every,
      RolloutSettings settings,
      ReplicaFactory replicas) {
    return Restarting.<Command>withBackoff(
        settings.restart(),
        (ctx, timers, restarts) ->
            new Evaluator(ctx, timers, suite, checker, every, replicas, restarts));
  }

  private Evaluator(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Suite suite,
      BiFunction<Task, String, CheckResult> checker,
      int every,
      ReplicaFactory replicas,
      int restarts) {
    super(ctx);
    this.suite = suite;
    this.checker = checker;
    // Test is evaluated unasked only for the first version (initial pass@1), then on request.
    schedules.put(Split.TEST, new EvaluationSchedule<>(Integer.MAX_VALUE));
    schedules.put(Split.VALIDATION, new EvaluationSchedule<>(every));
    this.restarts = restarts;
    this.compute = ComputeDispatcher.executor(ctx.getSystem());
    this.events = Topics.trainingEvents(ctx);
    this.status =
        new StatusReporter(
            ctx,
            NodeIdentity.name(ctx.getSystem()) + ":" + ctx.getSelf().path().name(),
            "evaluator");
    status.restarts(restarts);
    timers.startTimerWithFixedDelay(Report.INSTANCE, REPORT_INTERVAL);
    // Only the versions it evaluates are streamed and held, not one per learner step.
    this.follower =
        ctx.spawn(
            WeightsFollower.onDemand(
                ctx.messageAdapter(WeightsFollower.WeightsReady.class, Fetched::new),
                ctx.messageAdapter(WeightsFollower.VersionSeen.class, Seen::new)),
            "weights");
    ctx.pipeToSelf(
        CompletableFuture.supplyAsync(replicas::create, compute),
        (ok, err) ->
            err == null
                ? new ReplicaReady(ok)
                : new Failed("evaluator replica failed to start", err, restarts));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ReplicaReady.class, this::onReplicaReady)
        .onMessage(Fetched.class, this::onFetched)
        .onMessage(Seen.class, this::onSeen)
        .onMessage(Evaluate.class, this::onEvaluate)
        .onMessage(Evaluated.class, this::onEvaluated)
        .onMessage(Failed.class, this::onFailed)
        .onMessageEquals(Report.INSTANCE, this::onReport)
        .onSignal(PreRestart.class, s -> onStop())
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onReplicaReady(ReplicaReady r) {
    if (policy != null) {
      r.policy().close(); // built for an earlier incarnation
      return this;
    }
    policy = r.policy();
    maybeEvaluate();
    return this;
  }

  private Behavior<Command> onFetched(Fetched f) {
    fetched = f.ready().weights();
    asked = false;
    seen = newest(seen, fetched.version());
    maybeEvaluate();
    return this;
  }

  private Behavior<Command> onSeen(Seen s) {
    seen = newest(seen, s.seen().version());
    maybeEvaluate();
    return this;
  }

  private static PolicyVersion newest(PolicyVersion a, PolicyVersion b) {
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) >= 0 ? a : b;
  }

  private Behavior<Command> onEvaluate(Evaluate e) {
    if (!schedules.containsKey(e.split())) {
      getContext().getLog().error("refused a request to evaluate the {} split", e.split().label());
      return this;
    }
    EvaluationCompleted last = lastResults.get(e.split());
    if (last != null && last.version().compareTo(e.atLeast()) >= 0) {
      e.replyTo().tell(last);
    } else {
      schedules.get(e.split()).ask(e.atLeast(), e);
      seen = newest(seen, e.atLeast()); // the learner asks only for versions it published
      maybeEvaluate();
    }
    return this;
  }

  /**
   * Evaluates the newest version when a schedule is due at it: with the replica as it is when it
   * already holds that version, with fetched weights when they are in, and otherwise asks the
   * follower to fetch the newest.
   */
  private void maybeEvaluate() {
    if (evaluating || policy == null || seen == null || due(seen) == null) {
      return;
    }
    FlatWeights w = null;
    PolicyVersion version;
    if (fetched != null && !seen.isNewerThan(fetched.version())) {
      w = fetched;
      version = fetched.version();
      fetched = null;
    } else if (imported != null && imported.equals(seen)) {
      version = imported;
    } else {
      fetched = null; // older than what is due: not worth holding
      if (!asked) {
        asked = true;
        follower.tell(WeightsFollower.FetchNewest.INSTANCE);
      }
      return;
    }
    Split split = due(version);
    if (split == null) {
      return;
    }
    evaluating = true;
    imported = version;
    Policy p = policy;
    FlatWeights weights = w;
    long started = System.nanoTime();
    CompletableFuture<Evaluated> job =
        CompletableFuture.supplyAsync(
            () ->
                new Evaluated(
                    evaluate(p, weights, version, split),
                    split,
                    (System.nanoTime() - started) / 1e6,
                    restarts),
            compute);
    inFlight = job;
    getContext()
        .pipeToSelf(
            job, (ok, err) -> err == null ? ok : new Failed("evaluation failed", err, restarts));
  }

  /** The first split whose schedule is due at {@code version}, or null. */
  private Split due(PolicyVersion version) {
    for (Map.Entry<Split, EvaluationSchedule<Evaluate>> s : schedules.entrySet()) {
      if (s.getValue().due(version)) {
        return s.getKey();
      }
    }
    return null;
  }

  /** Runs on the compute dispatcher. */
  private EvaluationCompleted evaluate(
      Policy p, FlatWeights w, PolicyVersion version, Split split) {
    if (w != null) {
      p.importWeights(w); // else the replica holds this version already
    }
    SplitTasks set = suite.split(split);
    List<Task> tasks = set.tasks();
    return new EvaluationCompleted(
        version,
        GreedyPass.of(p, suite, tasks, checker),
        tasks.size(),
        split.label(),
        set.split().label());
  }

  private Behavior<Command> onEvaluated(Evaluated e) {
    if (e.incarnation() != restarts) {
      return this; // an earlier incarnation's, on a replica closed since
    }
    evaluating = false;
    evaluations++;
    evaluationMillis.add(e.millis());
    lastResult = e.result();
    lastResults.put(e.split(), lastResult);
    events.tell(Topic.publish(e.result()));
    schedules
        .get(e.split())
        .evaluated(lastResult.version())
        .forEach(p -> p.replyTo().tell(e.result()));
    maybeEvaluate();
    return this;
  }

  private Behavior<Command> onFailed(Failed f) {
    if (f.incarnation() != restarts) {
      return this; // an earlier incarnation's
    }
    throw new IllegalStateException(f.what(), f.cause());
  }

  private Behavior<Command> onReport() {
    String state =
        evaluating
            ? "evaluating"
            : policy == null ? "starting" : asked ? "waiting-weights" : "idle";
    status
        .state(state)
        .queue(schedules.values().stream().mapToInt(EvaluationSchedule::waiting).sum())
        .inFlight(evaluating ? 1 : 0)
        .processed(evaluations)
        .latency(evaluationMillis)
        .version(lastResult == null ? null : lastResult.version())
        .publish();
    return this;
  }

  /** On a restart (which does not signal PostStop) as on a stop: the replica is freed. */
  private Behavior<Command> onStop() {
    NativeWork.closeAfter(inFlight, policy);
    return this;
  }
}
