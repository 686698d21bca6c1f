package verity.rollout;

import akka.Done;
import akka.actor.Cancellable;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.Routers;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ComputeDispatcher;
import verity.actors.cluster.Restarting;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.cluster.StatusReporter;
import verity.actors.cluster.Topics;
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
 *
 * <p>When its node leaves the cluster (a drain, SIGTERM, a leave), the first phase of the node's
 * coordinated shutdown waits for the worker to drain: it leases nothing more, hands the leases it
 * holds but has not started back to the task source, finishes the batch that generates and offers
 * its finished batches until a verifier took them, bounded by the phase's timeout ({@link
 * DrainOnShutdown}).
 */
public final class RolloutWorker extends AbstractBehavior<RolloutWorker.Command> {

  /** A message a rollout worker accepts. */
  public sealed interface Command extends VerityMessage {}

  private record ReplicaReady(Policy policy) implements Command, LocalOnly {}

  private record ReplicaFailed(Throwable cause, int incarnation) implements Command, LocalOnly {}

  private record Staged(WeightsFollower.WeightsReady ready) implements Command, LocalOnly {}

  private record Sources(Set<ActorRef<TaskSource.Command>> sources) implements Command, LocalOnly {}

  /** The task source's answer to a request (named apart from the task source's own event). */
  private record LeasesArrived(TaskRequests.Leases leases) implements Command, LocalOnly {}

  /** Batch {@code batch} is generated. */
  private record Generated(long batch, WorkerReplica.Batch result) implements Command, LocalOnly {}

  private record GenerationFailed(long batch, Throwable cause) implements Command, LocalOnly {}

  private record VerifierReply(VerifierProtocol.Reply reply) implements Command, LocalOnly {}

  /** Lease nothing more, hand back what was not started, finish and deliver the rest; answer. */
  private record Drain(ActorRef<Done> replyTo) implements Command, LocalOnly {}

  /** What the worker's timers tell it. */
  private enum Tick implements Command, LocalOnly {
    /** Offer the held batch to a verifier again. */
    RESEND,
    /** Publish this worker's status. */
    REPORT
  }

  private static final Duration REPORT_INTERVAL = Duration.ofSeconds(1);

  private final String name;
  private final WorkerCycle cycle;
  private final WorkerReplica replica;
  private final TaskSourceLink source;
  private final ActorRef<VerifierProtocol.Reply> verifierReplies;
  private final ActorRef<Topic.Command<TrainingEvent>> events;
  private final StatusReporter status;

  /** Finished batches no verifier took yet; no new work is leased while any waits here. */
  private final VerifierOffers<Command> unaccepted;

  private final Lifetime lifetime;

  /** How often the worker restarted before this incarnation. */
  private final int restarts;

  /** Who waits for the drain to finish; empty unless draining. */
  private final List<ActorRef<Done>> drainedReplies = new ArrayList<>();

  /** What outlives a restart: the next batch number, and the drain registered on shutdown. */
  private static final class Lifetime {
    /**
     * Batch numbers rise over the worker's whole life: a verifier recognises a batch offered again
     * by its number, and a reply meant for an earlier incarnation matches no batch held now.
     */
    long nextBatch = 1;

    Cancellable drainOnShutdown;
  }

  /** What the worker is made from. */
  private record Spec(
      String name,
      Suite suite,
      RolloutSettings settings,
      float temperature,
      long seed,
      ReplicaFactory replicas) {}

  /**
   * A worker under supervision (restarted with back-off after a failure, with a fresh replica),
   * drained when its node shuts down.
   */
  public static Behavior<Command> create(
      String name,
      Suite suite,
      RolloutSettings settings,
      float temperature,
      long seed,
      ReplicaFactory replicas) {
    Spec spec = new Spec(name, suite, settings, temperature, seed, replicas);
    return Behaviors.setup(
        outer -> {
          Lifetime lifetime = new Lifetime();
          lifetime.drainOnShutdown = DrainOnShutdown.register(outer, name, Drain::new);
          return Restarting.<Command>withBackoff(
              settings.restart(),
              (ctx, timers, restarts) -> new RolloutWorker(ctx, timers, spec, lifetime, restarts));
        });
  }

  private RolloutWorker(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Spec spec,
      Lifetime lifetime,
      int restarts) {
    super(ctx);
    this.lifetime = lifetime;
    this.restarts = restarts;
    this.name = spec.name();
    Suite suite = spec.suite();
    RolloutSettings settings = spec.settings();
    this.cycle = new WorkerCycle(settings.leaseTimeout());
    Executor compute = ComputeDispatcher.executor(ctx.getSystem());
    ActorRef<WeightsFollower.Command> follower =
        ctx.spawn(
            WeightsFollower.paced(
                ctx.messageAdapter(WeightsFollower.WeightsReady.class, Staged::new)),
            "weights");
    this.replica =
        new WorkerReplica(
            suite,
            settings,
            spec.temperature(),
            spec.seed(),
            new TrajectoryAssembler(suite, settings.groupSize(), name),
            compute,
            loaded -> follower.tell(new WeightsFollower.Loaded(loaded)));
    this.unaccepted =
        new VerifierOffers<>(
            ctx.spawn(
                Routers.group(ServiceKeys.verifiers(suite.name())).withRoundRobinRouting(),
                "verifiers"),
            timers,
            Tick.RESEND);
    this.source =
        new TaskSourceLink(
            name,
            settings.tasksPerRequest(),
            ctx.messageAdapter(TaskRequests.Leases.class, LeasesArrived::new));
    this.verifierReplies = ctx.messageAdapter(VerifierProtocol.Reply.class, VerifierReply::new);
    this.events = Topics.trainingEvents(ctx);
    this.status = new StatusReporter(ctx, name, "rollout-worker");
    status.restarts(restarts);
    timers.startTimerWithFixedDelay(Tick.REPORT, REPORT_INTERVAL);
    ServiceWatcher.spawn(ctx, TaskSource.SERVICE_KEY, Sources::new);
    ctx.pipeToSelf(
        CompletableFuture.supplyAsync(spec.replicas()::create, compute),
        (ok, err) -> err == null ? new ReplicaReady(ok) : new ReplicaFailed(err, restarts));
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
        .onMessage(Drain.class, this::onDrain)
        .onMessageEquals(Tick.RESEND, this::onResend)
        .onMessageEquals(Tick.REPORT, this::onReport)
        .onSignal(PreRestart.class, s -> onRestart())
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onReplicaReady(ReplicaReady r) {
    replica.attach(r.policy()); // one built for an earlier incarnation is closed
    replica.loadIfIdle();
    return advance();
  }

  private Behavior<Command> onReplicaFailed(ReplicaFailed f) {
    if (f.incarnation() != restarts) {
      return this; // an earlier incarnation's
    }
    throw new IllegalStateException(name + ": replica failed to start", f.cause());
  }

  private Behavior<Command> onStaged(Staged s) {
    replica.stage(s.ready().weights());
    replica.loadIfIdle();
    return advance();
  }

  private Behavior<Command> onSources(Sources s) {
    source.listed(s.sources());
    cycle.sourceChanged();
    return advance();
  }

  /**
   * Leaves the starting phase once the replica and a version are there, leases if it may, and
   * answers a drain that is done.
   */
  private Behavior<Command> advance() {
    if (replica.ready()) {
      cycle.ready();
    }
    if (!drainedReplies.isEmpty() && cycle.drained(!unaccepted.isEmpty())) {
      getContext().getLog().info("{}: drained", name);
      drainedReplies.forEach(r -> r.tell(Done.getInstance()));
      drainedReplies.clear();
    }
    source.request(cycle.request(source.known(), !unaccepted.isEmpty()));
    return this;
  }

  private Behavior<Command> onLeasesArrived(LeasesArrived l) {
    WorkerCycle.Arrival arrival = cycle.leased(l.leases().leases());
    source.giveBack(arrival.giveBack());
    startGenerating(arrival.start());
    return advance();
  }

  private void startGenerating(List<TaskRequests.Lease> leases) {
    if (leases.isEmpty()) {
      return;
    }
    long batch = lifetime.nextBatch++;
    getContext()
        .pipeToSelf(
            replica.generate(batch, leases),
            (ok, err) -> ok != null ? new Generated(batch, ok) : new GenerationFailed(batch, err));
  }

  private Behavior<Command> onGenerated(Generated g) {
    if (!replica.generates(g.batch())) {
      return this; // an earlier incarnation's batch
    }
    WorkerReplica.Batch b = g.result();
    replica.finished(b);
    replica.loadIfIdle(); // a version staged mid-batch, even if no batch follows
    // The next batch starts before this one is offered: the offer serializes the batch on this
    // thread, and the model need not wait for that.
    startGenerating(cycle.generated(b.millis()));
    unaccepted.add(new VerifierProtocol.VerifyBatch(g.batch(), b.trajectories(), verifierReplies));
    events.tell(Topic.publish(replica.report(name, b)));
    return advance();
  }

  private Behavior<Command> onVerifierReply(VerifierReply r) {
    if (r.reply() instanceof VerifierProtocol.Rejected j) {
      getContext().getLog().debug("{}: batch {} refused: {}", name, j.batch(), j.reason());
    }
    return unaccepted.answered(r.reply()) ? advance() : this;
  }

  private Behavior<Command> onDrain(Drain d) {
    List<TaskRequests.Lease> back = cycle.drain();
    getContext()
        .getLog()
        .info(
            "{}: draining: {} leases handed back, {} batches to finish or deliver",
            name,
            back.size(),
            unaccepted.batches() + (cycle.generating() ? 1 : 0));
    source.giveBack(back);
    drainedReplies.add(d.replyTo());
    return advance();
  }

  private Behavior<Command> onResend() {
    unaccepted.resend();
    return this;
  }

  private Behavior<Command> onReport() {
    status
        .state(cycle.state(replica.attached(), !unaccepted.isEmpty(), source.known()))
        .queue(unaccepted.trajectories())
        .inFlight(replica.generatingTrajectories())
        .processed(replica.trajectories())
        .latency(replica.batchMillis())
        .version(replica.loadedVersion())
        .errors(unaccepted.refused())
        .publish();
    return this;
  }

  private Behavior<Command> onGenerationFailed(GenerationFailed f) {
    if (!replica.generates(f.batch())) {
      return this; // an earlier incarnation's batch
    }
    throw new IllegalStateException(name + ": generation failed", f.cause());
  }

  /** A restart does not signal PostStop: the replica is freed here, the drain stays registered. */
  private Behavior<Command> onRestart() {
    replica.close();
    return this;
  }

  private Behavior<Command> onStop() {
    replica.close();
    lifetime.drainOnShutdown.cancel();
    return this;
  }
}
