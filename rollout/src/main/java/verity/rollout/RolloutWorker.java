package verity.rollout;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.Routers;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ComputeDispatcher;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.cluster.StatusReporter;
import verity.actors.cluster.Topics;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TrajectoryId;
import verity.actors.metrics.LatencyWindow;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.VerifierProtocol;
import verity.actors.weights.FlatWeights;
import verity.envs.Suite;
import verity.envs.Task;
import verity.policy.EpisodeGenerator;
import verity.policy.NativeWork;
import verity.policy.Policy;
import verity.policy.ReplicaFactory;

/**
 * Generates trajectories with its own policy replica. It pulls leases from the task source, runs
 * {@code groupSize} episodes of every leased task side by side in one batch ({@link
 * EpisodeRunner}), records the versions and per-token log-probs of each, and sends the batch to a
 * reward verifier. New weights are fetched in the background and swapped in between batches, and
 * between turns of long episodes; nothing is generated before the first version arrived.
 *
 * <p>The model is kept busy: while a batch generates, the worker already leases the next one (when
 * batches are short against the lease timeout, so that a prefetched lease never expires waiting,
 * and only if the task source's window has room that no idle worker waits for), and it starts that
 * next batch while the last one still waits for a verifier's answer. At most two batches wait for a
 * verifier; while any does, no new lease is asked for, so slow verification still pushes back on
 * rollout.
 */
public final class RolloutWorker extends AbstractBehavior<RolloutWorker.Command> {

  /** A message a rollout worker accepts. */
  public sealed interface Command extends VerityMessage {}

  private record ReplicaReady(Policy policy) implements Command, LocalOnly {}

  private record Staged(WeightsFollower.WeightsReady ready) implements Command, LocalOnly {}

  private record Sources(Set<ActorRef<TaskSource.Command>> sources) implements Command, LocalOnly {}

  private record Leased(TaskSource.Leases leases) implements Command, LocalOnly {}

  private record Generated(List<Trajectory> trajectories, long tokens, double millis)
      implements Command, LocalOnly {}

  private record GenerationFailed(Throwable cause) implements Command, LocalOnly {}

  private record VerifierReply(VerifierProtocol.Reply reply) implements Command, LocalOnly {}

  /** Offer the held batch to a verifier again. */
  private enum Resend implements Command, LocalOnly {
    INSTANCE
  }

  /** Publish this worker's status. */
  private enum Report implements Command, LocalOnly {
    INSTANCE
  }

  private static final Duration REPORT_INTERVAL = Duration.ofSeconds(1);

  private static final Duration REJECTED_BACKOFF = Duration.ofMillis(250);
  private static final Duration ACCEPT_TIMEOUT = Duration.ofSeconds(5);

  private final String name;
  private final Suite suite;
  private final RolloutSettings settings;
  private final float temperature;
  private final SplittableRandom random;

  /** Draws the added episode time of each task, on the actor's thread. */
  private final SplittableRandom episodeTimeRandom;

  private final Executor compute;
  private final ActorRef<VerifierProtocol.Command> verifiers;
  private final ActorRef<TaskSource.Leases> leaseReplies;
  private final ActorRef<VerifierProtocol.Reply> verifierReplies;
  private final TimerScheduler<Command> timers;

  /**
   * Taken by no verifier yet, oldest first; only the first is on offer. No new work is leased while
   * any batch waits here (back-pressure).
   */
  private final ArrayDeque<VerifierProtocol.VerifyBatch> unaccepted = new ArrayDeque<>();

  /** Leased while a batch was generating: generated next. */
  private List<TaskSource.Lease> prefetched;

  /** How long the last batch took, generation and added episode time; prefetch only if short. */
  private double lastBatchMillis = Double.MAX_VALUE;

  private long nextBatch = 1;
  private final ActorRef<Topic.Command<TrainingEvent>> events;
  private Optional<ActorRef<TaskSource.Command>> source = Optional.empty();
  private Policy policy;

  /** The newest complete version not yet loaded; taken by the compute thread. */
  private final AtomicReference<FlatWeights> staged = new AtomicReference<>();

  private boolean loaded;
  private boolean requested;

  /** The outstanding request leases ahead (sent while a batch generated). */
  private boolean requestedAhead;

  /** The task source had no room for work ahead of this batch: ask again after it. */
  private boolean aheadRefused;

  private boolean generating;
  private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
  private long trajectories;
  private long tokens;
  private int generatingTrajectories;
  private long refusedOffers;
  private final LatencyWindow batchMillis = new LatencyWindow(256);

  /** The version of the weights in the replica, null before the first; written by compute. */
  private volatile PolicyVersion loadedVersion;

  private final StatusReporter status;

  public static Behavior<Command> create(
      String name,
      Suite suite,
      RolloutSettings settings,
      float temperature,
      long seed,
      ReplicaFactory replicas) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new RolloutWorker(
                        ctx, timers, name, suite, settings, temperature, seed, replicas)));
  }

  private RolloutWorker(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String name,
      Suite suite,
      RolloutSettings settings,
      float temperature,
      long seed,
      ReplicaFactory replicas) {
    super(ctx);
    this.timers = timers;
    this.name = name;
    this.suite = suite;
    this.settings = settings;
    this.temperature = temperature;
    this.random = new SplittableRandom(seed);
    this.episodeTimeRandom = new SplittableRandom(seed ^ 0x5DEECE66DL);
    this.compute = ComputeDispatcher.executor(ctx.getSystem());
    this.verifiers =
        ctx.spawn(
            Routers.group(ServiceKeys.verifiers(suite.name())).withRoundRobinRouting(),
            "verifiers");
    this.leaseReplies = ctx.messageAdapter(TaskSource.Leases.class, Leased::new);
    this.verifierReplies = ctx.messageAdapter(VerifierProtocol.Reply.class, VerifierReply::new);
    this.events = Topics.trainingEvents(ctx);
    this.status = new StatusReporter(ctx, name, "rollout-worker");
    timers.startTimerWithFixedDelay(Report.INSTANCE, REPORT_INTERVAL);
    ctx.spawn(
        WeightsFollower.create(ctx.messageAdapter(WeightsFollower.WeightsReady.class, Staged::new)),
        "weights");
    ServiceWatcher.spawn(ctx, TaskSource.SERVICE_KEY, Sources::new);
    ctx.pipeToSelf(
        CompletableFuture.supplyAsync(replicas::create, compute),
        (ok, err) -> {
          if (err != null) {
            throw new IllegalStateException(name + ": replica failed to start", err);
          }
          return new ReplicaReady(ok);
        });
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ReplicaReady.class, this::onReplicaReady)
        .onMessage(Staged.class, this::onStaged)
        .onMessage(Sources.class, this::onSources)
        .onMessage(Leased.class, this::onLeased)
        .onMessage(Generated.class, this::onGenerated)
        .onMessage(GenerationFailed.class, this::onGenerationFailed)
        .onMessage(VerifierReply.class, this::onVerifierReply)
        .onMessageEquals(Resend.INSTANCE, this::onResend)
        .onMessageEquals(Report.INSTANCE, this::onReport)
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onReplicaReady(ReplicaReady r) {
    policy = r.policy();
    maybeRequest();
    return this;
  }

  private Behavior<Command> onStaged(Staged s) {
    staged.set(s.ready().weights());
    maybeRequest();
    return this;
  }

  private Behavior<Command> onSources(Sources s) {
    source = s.sources().stream().findFirst();
    requested = false; // a request to a source that went away is never answered
    maybeRequest();
    return this;
  }

  private void maybeRequest() {
    if (policy == null
        || (!loaded && staged.get() == null)
        || source.isEmpty()
        || requested
        || prefetched != null
        || !unaccepted.isEmpty()
        || (generating && (aheadRefused || !prefetchPays()))) {
      return;
    }
    requested = true;
    requestedAhead = generating;
    source
        .get()
        .tell(
            new TaskSource.RequestTasks(
                settings.tasksPerRequest(), name, leaseReplies, requestedAhead));
  }

  /**
   * Whether to lease the next batch while this one generates: only when batches are short against
   * the lease timeout, so that the prefetched leases are generated long before they could expire.
   */
  private boolean prefetchPays() {
    return lastBatchMillis < settings.leaseTimeout().toMillis() / 4.0;
  }

  private Behavior<Command> onLeased(Leased l) {
    requested = false;
    List<TaskSource.Lease> leases = l.leases().leases();
    if (leases.isEmpty()) {
      aheadRefused = requestedAhead && generating;
      maybeRequest();
      return this;
    }
    if (generating) {
      prefetched = leases;
      return this;
    }
    startGenerating(leases);
    maybeRequest();
    return this;
  }

  private void startGenerating(List<TaskSource.Lease> leases) {
    generating = true;
    aheadRefused = false;
    generatingTrajectories = leases.size() * settings.groupSize();
    loaded = true;
    Policy p = policy;
    CompletableFuture<Generated> job =
        withAddedEpisodeTime(
            CompletableFuture.supplyAsync(() -> generate(p, leases), compute), leases.size());
    inFlight = job;
    getContext().pipeToSelf(job, (ok, err) -> ok != null ? ok : new GenerationFailed(err));
  }

  /**
   * The batch, handed over once its longest task's added episode time has passed too: one draw per
   * task, and the batch waits for the largest, as a vectorized batch waits for its longest episode.
   */
  private CompletableFuture<Generated> withAddedEpisodeTime(
      CompletableFuture<Generated> job, int tasks) {
    Duration longest = Duration.ZERO;
    for (int i = 0; i < tasks; i++) {
      Duration d = settings.addedEpisodeTime().sample(episodeTimeRandom);
      if (d.compareTo(longest) > 0) {
        longest = d;
      }
    }
    if (longest.isZero()) {
      return job;
    }
    long extra = longest.toNanos();
    return job.thenCompose(
        g ->
            CompletableFuture.supplyAsync(
                () -> new Generated(g.trajectories(), g.tokens(), g.millis() + extra / 1e6),
                CompletableFuture.delayedExecutor(
                    extra, java.util.concurrent.TimeUnit.NANOSECONDS, compute)));
  }

  /** Runs on the compute dispatcher. */
  private Generated generate(Policy p, List<TaskSource.Lease> leases) {
    long started = System.nanoTime();
    Runnable first = takeStaged(p);
    if (first != null) {
      first.run();
    }
    int g = settings.groupSize();
    List<Task> tasks = new ArrayList<>(leases.size() * g);
    long[] seeds = new long[leases.size() * g];
    for (int i = 0; i < leases.size(); i++) {
      Task task = suite.lookup(leases.get(i).task().value());
      for (int j = 0; j < g; j++) {
        tasks.add(task);
        seeds[i * g + j] = leases.get(i).id().value() * 1_000_003L + j;
      }
    }
    List<EpisodeRunner.Result> episodes =
        EpisodeRunner.run(p, suite, tasks, seeds, temperature, random, () -> takeStaged(p));
    List<Trajectory> out = new ArrayList<>(tasks.size());
    long sampledTokens = 0;
    for (int i = 0; i < leases.size(); i++) {
      TaskSource.Lease lease = leases.get(i);
      for (int j = 0; j < g; j++) {
        EpisodeRunner.Result r = episodes.get(i * g + j);
        EpisodeGenerator.Episode e = r.episode();
        sampledTokens += e.actions().length;
        out.add(
            new Trajectory(
                new TrajectoryId(lease.id(), j),
                suite.name(),
                lease.task(),
                g,
                tasks.get(i * g + j).prompt(),
                e.tokens(),
                e.sampled(),
                e.logProbs(),
                r.segments(),
                name));
      }
    }
    return new Generated(out, sampledTokens, (System.nanoTime() - started) / 1e6);
  }

  /** A swap to the newest staged version, or null when there is none. */
  private Runnable takeStaged(Policy p) {
    FlatWeights w = staged.getAndSet(null);
    return w == null
        ? null
        : () -> {
          p.importWeights(w);
          loadedVersion = w.version();
        };
  }

  private Behavior<Command> onGenerated(Generated g) {
    generating = false;
    generatingTrajectories = 0;
    batchMillis.add(g.millis());
    lastBatchMillis = g.millis();
    trajectories += g.trajectories().size();
    tokens += g.tokens();
    unaccepted.add(
        new VerifierProtocol.VerifyBatch(nextBatch++, g.trajectories(), verifierReplies));
    if (unaccepted.size() == 1) {
      offer();
    }
    if (prefetched != null) {
      List<TaskSource.Lease> next = prefetched;
      prefetched = null;
      startGenerating(next);
    }
    PolicyVersion version = g.trajectories().get(0).segments().get(0).version();
    events.tell(
        Topic.publish(
            new TrainingEvent.RolloutReport(name, version, trajectories, tokens, g.millis())));
    maybeRequest();
    return this;
  }

  private void offer() {
    verifiers.tell(unaccepted.peek());
    timers.startSingleTimer(Resend.INSTANCE, ACCEPT_TIMEOUT);
  }

  private Behavior<Command> onVerifierReply(VerifierReply r) {
    VerifierProtocol.VerifyBatch held = unaccepted.peek();
    if (held == null) {
      return this;
    }
    if (r.reply() instanceof VerifierProtocol.Accepted a && a.batch() == held.batch()) {
      unaccepted.poll();
      timers.cancel(Resend.INSTANCE);
      if (!unaccepted.isEmpty()) {
        offer();
      }
      maybeRequest();
    } else if (r.reply() instanceof VerifierProtocol.Rejected j && j.batch() == held.batch()) {
      getContext().getLog().debug("{}: batch {} refused: {}", name, j.batch(), j.reason());
      refusedOffers++;
      timers.startSingleTimer(Resend.INSTANCE, REJECTED_BACKOFF);
    }
    return this;
  }

  private Behavior<Command> onResend() {
    if (!unaccepted.isEmpty()) {
      offer();
    }
    return this;
  }

  private Behavior<Command> onReport() {
    String state =
        policy == null
            ? "starting"
            : !loaded && staged.get() == null
                ? "waiting-weights"
                : generating
                    ? "generating"
                    : !unaccepted.isEmpty()
                        ? "waiting-verifier"
                        : source.isEmpty() ? "no-source" : requested ? "waiting-lease" : "idle";
    status
        .state(state)
        .queue(unaccepted.stream().mapToInt(b -> b.trajectories().size()).sum())
        .inFlight(generatingTrajectories)
        .processed(trajectories)
        .latency(batchMillis)
        .version(loadedVersion)
        .errors(refusedOffers)
        .publish();
    return this;
  }

  private Behavior<Command> onGenerationFailed(GenerationFailed f) {
    throw new IllegalStateException(name + ": generation failed", f.cause());
  }

  private Behavior<Command> onStop() {
    NativeWork.closeAfter(inFlight, policy);
    return this;
  }
}
