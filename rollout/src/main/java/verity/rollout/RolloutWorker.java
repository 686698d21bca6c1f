package verity.rollout;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.Routers;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ComputeDispatcher;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.cluster.StatusReporter;
import verity.actors.cluster.Topics;
import verity.actors.ids.PolicyVersion;
import verity.actors.metrics.LatencyWindow;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.VerifierProtocol;
import verity.envs.Suite;
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
 * rollout. {@link WorkerCycle} holds these rules; {@link WorkerReplica} runs the batches.
 *
 * <p>A failure (the replica cannot start, a batch fails to generate) restarts the worker after a
 * back-off, with a fresh replica (the old one is closed once its batch is done); it leases anew,
 * and the leases it held expire and go out again. Its status reports count the restarts.
 */
public final class RolloutWorker extends AbstractBehavior<RolloutWorker.Command> {

  /** A message a rollout worker accepts. */
  public sealed interface Command extends VerityMessage {}

  private record ReplicaReady(Policy policy) implements Command, LocalOnly {}

  private record ReplicaFailed(Throwable cause, int incarnation) implements Command, LocalOnly {}

  private record Staged(WeightsFollower.WeightsReady ready) implements Command, LocalOnly {}

  private record Sources(Set<ActorRef<TaskSource.Command>> sources) implements Command, LocalOnly {}

  /** The task source's answer to a request (named apart from the task source's own event). */
  private record LeasesArrived(TaskSource.Leases leases) implements Command, LocalOnly {}

  /** Batch {@code batch} is generated. */
  private record Generated(long batch, WorkerReplica.Batch result) implements Command, LocalOnly {}

  private record GenerationFailed(long batch, Throwable cause) implements Command, LocalOnly {}

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

  /** Spreads the restarts of workers that failed together (a verifier or device gone). */
  private static final double RESTART_RANDOM_FACTOR = 0.2;

  private final String name;
  private final WorkerCycle cycle;
  private final WorkerReplica replica;
  private final ActorRef<VerifierProtocol.Command> verifiers;
  private final ActorRef<TaskSource.Leases> leaseReplies;
  private final ActorRef<VerifierProtocol.Reply> verifierReplies;
  private final ActorRef<Topic.Command<TrainingEvent>> events;
  private final TimerScheduler<Command> timers;
  private final StatusReporter status;
  private final int tasksPerRequest;
  private final int groupSize;

  /**
   * Taken by no verifier yet, oldest first; only the first is on offer. No new work is leased while
   * any batch waits here (back-pressure).
   */
  private final ArrayDeque<VerifierProtocol.VerifyBatch> unaccepted = new ArrayDeque<>();

  private final Lifetime lifetime;
  private Optional<ActorRef<TaskSource.Command>> source = Optional.empty();

  /** The number of the batch that generates; 0 when none does. */
  private long generatingBatch;

  private int generatingTrajectories;
  private long trajectories;
  private long tokens;
  private long refusedOffers;
  private final LatencyWindow batchMillis = new LatencyWindow(256);

  /** What outlives a restart: how often it restarted, and the next batch number. */
  private static final class Lifetime {
    int restarts = -1;

    /**
     * Batch numbers rise over the worker's whole life: a verifier recognises a batch offered again
     * by its number, and a reply meant for an earlier incarnation matches no batch held now.
     */
    long nextBatch = 1;
  }

  /** A worker under supervision: restarted with back-off after a failure, with a fresh replica. */
  public static Behavior<Command> create(
      String name,
      Suite suite,
      RolloutSettings settings,
      float temperature,
      long seed,
      ReplicaFactory replicas) {
    return Behaviors.setup(
        outer -> {
          Lifetime lifetime = new Lifetime();
          return Behaviors.supervise(
                  Behaviors.<Command>setup(
                      ctx ->
                          Behaviors.withTimers(
                              timers ->
                                  new RolloutWorker(
                                      ctx,
                                      timers,
                                      name,
                                      suite,
                                      settings,
                                      temperature,
                                      seed,
                                      replicas,
                                      lifetime))))
              .onFailure(
                  SupervisorStrategy.restartWithBackoff(
                      settings.restartMinBackoff(),
                      settings.restartMaxBackoff(),
                      RESTART_RANDOM_FACTOR));
        });
  }

  private RolloutWorker(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String name,
      Suite suite,
      RolloutSettings settings,
      float temperature,
      long seed,
      ReplicaFactory replicas,
      Lifetime lifetime) {
    super(ctx);
    this.lifetime = lifetime;
    lifetime.restarts++;
    this.timers = timers;
    this.name = name;
    this.tasksPerRequest = settings.tasksPerRequest();
    this.groupSize = settings.groupSize();
    this.cycle = new WorkerCycle(settings.leaseTimeout());
    Executor compute = ComputeDispatcher.executor(ctx.getSystem());
    this.replica =
        new WorkerReplica(
            suite,
            settings,
            temperature,
            seed,
            new TrajectoryAssembler(suite, settings.groupSize(), name),
            compute);
    this.verifiers =
        ctx.spawn(
            Routers.group(ServiceKeys.verifiers(suite.name())).withRoundRobinRouting(),
            "verifiers");
    this.leaseReplies = ctx.messageAdapter(TaskSource.Leases.class, LeasesArrived::new);
    this.verifierReplies = ctx.messageAdapter(VerifierProtocol.Reply.class, VerifierReply::new);
    this.events = Topics.trainingEvents(ctx);
    this.status = new StatusReporter(ctx, name, "rollout-worker");
    status.restarts(lifetime.restarts);
    timers.startTimerWithFixedDelay(Report.INSTANCE, REPORT_INTERVAL);
    ctx.spawn(
        WeightsFollower.create(ctx.messageAdapter(WeightsFollower.WeightsReady.class, Staged::new)),
        "weights");
    ServiceWatcher.spawn(ctx, TaskSource.SERVICE_KEY, Sources::new);
    int incarnation = lifetime.restarts;
    ctx.pipeToSelf(
        CompletableFuture.supplyAsync(replicas::create, compute),
        (ok, err) -> err == null ? new ReplicaReady(ok) : new ReplicaFailed(err, incarnation));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ReplicaReady.class, this::onReplicaReady)
        .onMessage(ReplicaFailed.class, this::onReplicaFailed)
        .onMessage(Staged.class, this::onStaged)
        .onMessage(Sources.class, this::onSources)
        .onMessage(LeasesArrived.class, this::onLeasesArrived)
        .onMessage(Generated.class, this::onGenerated)
        .onMessage(GenerationFailed.class, this::onGenerationFailed)
        .onMessage(VerifierReply.class, this::onVerifierReply)
        .onMessageEquals(Resend.INSTANCE, this::onResend)
        .onMessageEquals(Report.INSTANCE, this::onReport)
        .onSignal(PreRestart.class, s -> onStop())
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onReplicaReady(ReplicaReady r) {
    replica.attach(r.policy()); // one built for an earlier incarnation is closed
    return advance();
  }

  private Behavior<Command> onReplicaFailed(ReplicaFailed f) {
    if (f.incarnation() != lifetime.restarts) {
      return this; // an earlier incarnation's
    }
    throw new IllegalStateException(name + ": replica failed to start", f.cause());
  }

  private Behavior<Command> onStaged(Staged s) {
    replica.stage(s.ready().weights());
    return advance();
  }

  private Behavior<Command> onSources(Sources s) {
    source = s.sources().stream().findFirst();
    cycle.sourceChanged();
    return advance();
  }

  /** Leaves the starting phase once the replica and a version are there, and leases if it may. */
  private Behavior<Command> advance() {
    if (replica.ready()) {
      cycle.ready();
    }
    WorkerCycle.Request request = cycle.request(source.isPresent(), !unaccepted.isEmpty());
    if (request != WorkerCycle.Request.NONE) {
      source
          .get()
          .tell(
              new TaskSource.RequestTasks(
                  tasksPerRequest, name, leaseReplies, request == WorkerCycle.Request.AHEAD));
    }
    return this;
  }

  private Behavior<Command> onLeasesArrived(LeasesArrived l) {
    WorkerCycle.Arrival arrival = cycle.leased(l.leases().leases());
    giveBack(arrival.giveBack());
    startGenerating(arrival.start());
    return advance();
  }

  private void giveBack(List<TaskSource.Lease> leases) {
    if (!leases.isEmpty() && source.isPresent()) {
      source
          .get()
          .tell(
              new TaskSource.ReturnLeases(
                  leases.stream().map(TaskSource.Lease::id).toList(), name));
    }
  }

  private void startGenerating(List<TaskSource.Lease> leases) {
    if (leases.isEmpty()) {
      return;
    }
    long batch = lifetime.nextBatch++;
    generatingBatch = batch;
    generatingTrajectories = leases.size() * groupSize;
    getContext()
        .pipeToSelf(
            replica.generate(leases),
            (ok, err) -> ok != null ? new Generated(batch, ok) : new GenerationFailed(batch, err));
  }

  private Behavior<Command> onGenerated(Generated g) {
    if (g.batch() != generatingBatch) {
      return this; // an earlier incarnation's batch
    }
    generatingBatch = 0;
    generatingTrajectories = 0;
    WorkerReplica.Batch b = g.result();
    batchMillis.add(b.millis());
    trajectories += b.trajectories().size();
    tokens += b.tokens();
    unaccepted.add(new VerifierProtocol.VerifyBatch(g.batch(), b.trajectories(), verifierReplies));
    if (unaccepted.size() == 1) {
      offer();
    }
    startGenerating(cycle.generated(b.millis()));
    PolicyVersion version = b.trajectories().get(0).segments().get(0).version();
    events.tell(
        Topic.publish(
            new TrainingEvent.RolloutReport(name, version, trajectories, tokens, b.millis())));
    return advance();
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
      return advance();
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
    status
        .state(state())
        .queue(unaccepted.stream().mapToInt(b -> b.trajectories().size()).sum())
        .inFlight(generatingTrajectories)
        .processed(trajectories)
        .latency(batchMillis)
        .version(replica.loadedVersion())
        .errors(refusedOffers)
        .publish();
    return this;
  }

  /** The state the console shows. */
  private String state() {
    if (cycle.phase() == WorkerCycle.Phase.STARTING) {
      return replica.attached() ? "waiting-weights" : "starting";
    }
    if (cycle.generating()) {
      return "generating";
    }
    if (!unaccepted.isEmpty()) {
      return "waiting-verifier";
    }
    if (source.isEmpty()) {
      return "no-source";
    }
    return cycle.phase() == WorkerCycle.Phase.LEASING ? "waiting-lease" : "idle";
  }

  private Behavior<Command> onGenerationFailed(GenerationFailed f) {
    if (f.batch() != generatingBatch) {
      return this;
    }
    throw new IllegalStateException(name + ": generation failed", f.cause());
  }

  /** On a restart (which does not signal PostStop) as on a stop: the replica is freed. */
  private Behavior<Command> onStop() {
    replica.close();
    return this;
  }
}
