package verity.learner.shard;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.NodeIdentity;
import verity.actors.cluster.Role;
import verity.actors.cluster.StatusReporter;
import verity.actors.cluster.TrainingDispatcher;
import verity.actors.ids.PolicyVersion;
import verity.actors.metrics.LatencyWindow;
import verity.actors.weights.FlatWeights;
import verity.learner.checkpoint.Checkpoint;
import verity.learner.grpo.GradientComputer;
import verity.learner.grpo.GrpoTrainer;
import verity.learner.grpo.LossSums;
import verity.learner.grpo.Objective;
import verity.learner.grpo.TrainingSample;
import verity.learner.grpo.UpdateSchedule;
import verity.learner.optim.Optimization;
import verity.learner.optim.OptimizerState;
import verity.policy.NativeWork;
import verity.policy.Policy;
import verity.policy.ReplicaFactory;

/**
 * One learner shard: a Cluster Sharding entity holding a policy replica on one learner device. It
 * computes the gradient of its slice of each batch, then applies the reduced, clipped gradient with
 * its own copy of Adam, and reports the checksum of its weights, which the coordinator compares
 * with its own. A shard that is new (started, restarted or moved to another node) or out of step
 * answers {@link NeedsState} and is loaded from the coordinator's state. The state and the
 * gradients travel on the weight plane ({@link ShardPlane}); the messages carry where to fetch
 * them.
 *
 * <p>Why an all-reduce of gradients with a full optimizer on every shard, not a reduce-scatter of
 * optimizer state: the policies trained here are small next to the cost of a gradient exchange, a
 * shard needs the full replica anyway for its forward passes, and a full optimizer makes every
 * shard a complete, checkable copy whose weights can be compared with the coordinator's after each
 * step (and that could take over from it).
 */
public final class LearnerShard extends AbstractBehavior<LearnerShard.Command> {
  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "learner-shard");

  /** A message a shard accepts. */
  public sealed interface Command extends VerityMessage {}

  /**
   * Take this training state as your own: {@code version}'s weights and AdamW's two moments, each
   * served on the weight plane by the coordinator's node.
   */
  public record LoadState(
      PolicyVersion version,
      TensorsRef weights,
      TensorsRef m,
      TensorsRef v,
      long optimizerSteps,
      Objective objective,
      Optimization optimization,
      ActorRef<Reply> replyTo)
      implements Command {}

  /** Compute the gradient of this slice, normalized by the whole batch's token count. */
  public record ComputeGradient(
      long step,
      PolicyVersion atVersion,
      List<TrainingSample> slice,
      double batchTokens,
      ActorRef<Reply> replyTo)
      implements Command {
    public ComputeGradient {
      slice = List.copyOf(slice);
    }
  }

  /**
   * Apply this reduced, clipped gradient (served on the weight plane by the coordinator's node);
   * the result is {@code newVersion}.
   */
  public record ApplyGradient(
      long step, PolicyVersion newVersion, TensorsRef gradient, ActorRef<Reply> replyTo)
      implements Command {}

  /** What a shard answers. */
  public sealed interface Reply extends VerityMessage {}

  /** The gradient of a slice, served on the weight plane by the shard's node. */
  public record Gradient(long step, String shard, TensorsRef gradient, LossSums sums)
      implements Reply {}

  /** The shard applied a step; its weights hash to {@code checksum}. */
  public record Applied(long step, String shard, PolicyVersion version, long checksum)
      implements Reply {}

  /** The shard does not hold the version the request needs: load it. */
  public record NeedsState(long step, String shard, long heldVersion) implements Reply {}

  /** The shard holds the state it was sent. */
  public record Loaded(String shard, PolicyVersion version) implements Reply {}

  private record Finished(Reply reply, ActorRef<Reply> replyTo) implements Command, LocalOnly {}

  private record Failed(Throwable cause) implements Command, LocalOnly {}

  /** Publish this shard's status for the console. */
  private enum Report implements Command, LocalOnly {
    INSTANCE
  }

  private static final java.time.Duration REPORT_INTERVAL = java.time.Duration.ofSeconds(1);

  private final String id;
  private final ReplicaFactory replicas;
  private final Executor training;
  private final ArrayDeque<Command> waiting = new ArrayDeque<>();
  private Policy policy;
  private GrpoTrainer trainer;
  private PolicyVersion version;
  private boolean busy;
  private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
  private final StatusReporter status;
  private final LatencyWindow workMillis = new LatencyWindow(256);
  private long startedNanos;
  private long finished;

  /** Steps whose gradient this shard applied. */
  private long applied;

  /** Starts sharding of learner shards; nodes with the learner role host them. */
  public static ActorRef<ShardingEnvelope<Command>> init(
      ActorSystem<?> system, ReplicaFactory replicas) {
    return ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), replicas))
                .withRole(Role.LEARNER.configName()));
  }

  public static Behavior<Command> create(String id, ReplicaFactory replicas) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Report.INSTANCE, REPORT_INTERVAL);
                  return new LearnerShard(ctx, id, replicas);
                }));
  }

  private LearnerShard(ActorContext<Command> ctx, String id, ReplicaFactory replicas) {
    super(ctx);
    this.id = id;
    this.replicas = replicas;
    this.training = TrainingDispatcher.executor(ctx.getSystem());
    this.status =
        new StatusReporter(
            ctx, NodeIdentity.name(ctx.getSystem()) + ":learner-" + id, "learner-shard");
    ctx.getLog().info("learner shard {} started on {}", id, NodeIdentity.name(ctx.getSystem()));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Finished.class, this::onFinished)
        .onMessage(Failed.class, f -> onFailed(f))
        .onMessageEquals(Report.INSTANCE, this::onReport)
        .onMessage(LoadState.class, this::enqueue)
        .onMessage(ComputeGradient.class, this::enqueue)
        .onMessage(ApplyGradient.class, this::enqueue)
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  /** Work runs one message at a time, in arrival order: an apply must precede the next compute. */
  private Behavior<Command> enqueue(Command c) {
    waiting.add(c);
    next();
    return this;
  }

  private void next() {
    while (!busy && !waiting.isEmpty()) {
      Command c = waiting.poll();
      if (c instanceof LoadState l) {
        ShardPlane plane = ShardPlane.get(getContext().getSystem());
        CompletableFuture<FlatWeights> weights = plane.fetch(l.weights()).toCompletableFuture();
        CompletableFuture<FlatWeights> m = plane.fetch(l.m()).toCompletableFuture();
        CompletableFuture<FlatWeights> v = plane.fetch(l.v()).toCompletableFuture();
        run(
            CompletableFuture.allOf(weights, m, v)
                .thenApplyAsync(fetched -> load(l, weights.join(), m.join(), v.join()), training),
            l.replyTo());
      } else if (c instanceof ComputeGradient g) {
        if (version == null || !version.equals(g.atVersion())) {
          g.replyTo().tell(new NeedsState(g.step(), id, held()));
          continue;
        }
        GrpoTrainer t = trainer;
        ShardPlane plane = ShardPlane.get(getContext().getSystem());
        run(
            CompletableFuture.supplyAsync(
                () -> {
                  GradientComputer.Result r = t.gradient(g.slice(), g.batchTokens());
                  TensorsRef served = plane.offer(t.asTensors(r.gradient()));
                  return new Gradient(g.step(), id, served, r.sums());
                },
                training),
            g.replyTo());
      } else if (c instanceof ApplyGradient a) {
        if (version == null || a.newVersion().value() != version.value() + 1) {
          a.replyTo().tell(new NeedsState(a.step(), id, held()));
          continue;
        }
        GrpoTrainer t = trainer;
        run(
            ShardPlane.get(getContext().getSystem())
                .fetch(a.gradient())
                .thenApplyAsync(
                    gradient -> {
                      t.applyClipped(gradient.values().flatten());
                      return (Reply) new Applied(a.step(), id, a.newVersion(), t.weightsChecksum());
                    },
                    training)
                .toCompletableFuture(),
            a.replyTo());
      }
    }
  }

  /** Runs on the training executor, once the state is fetched. */
  private Reply load(LoadState l, FlatWeights fetched, FlatWeights m, FlatWeights v) {
    FlatWeights weights = fetched.as(l.version());
    if (policy == null) {
      policy = replicas.create();
    }
    if (trainer != null) {
      trainer.close();
    }
    GrpoTrainer t = new GrpoTrainer(policy, l.objective(), UpdateSchedule.SINGLE, l.optimization());
    trainer = t;
    t.restore(
        new Checkpoint(
            weights,
            new OptimizerState(
                l.optimizerSteps(),
                Arrays.asList(m.values().tensors()),
                Arrays.asList(v.values().tensors()))));
    return new Loaded(id, l.version());
  }

  private long held() {
    return version == null ? -1 : version.value();
  }

  /** Runs {@code job} (started on the training executor) as this shard's one piece of work. */
  private void run(CompletableFuture<? extends Reply> job, ActorRef<Reply> replyTo) {
    busy = true;
    startedNanos = System.nanoTime();
    inFlight = job;
    getContext()
        .pipeToSelf(job, (ok, err) -> err != null ? new Failed(err) : new Finished(ok, replyTo));
  }

  private Behavior<Command> onFinished(Finished f) {
    busy = false;
    finished++;
    workMillis.add((System.nanoTime() - startedNanos) / 1e6);
    if (f.reply() instanceof Loaded l) {
      version = l.version();
    } else if (f.reply() instanceof Applied a) {
      version = a.version();
      applied++;
    }
    f.replyTo().tell(f.reply());
    next();
    return this;
  }

  private Behavior<Command> onReport() {
    status
        .state(busy ? "computing" : version == null ? "unloaded" : "idle")
        .queue(waiting.size())
        .inFlight(busy ? 1 : 0)
        .processed(finished)
        .latency(workMillis)
        .version(version)
        .publish();
    return this;
  }

  private Behavior<Command> onFailed(Failed f) {
    throw new IllegalStateException("learner shard " + id + " failed", f.cause());
  }

  private Behavior<Command> onStop() {
    getContext()
        .getLog()
        .info("learner shard {} stops after applying {} steps, at {}", id, applied, version);
    NativeWork.closeAfter(inFlight, policy);
    return this;
  }
}
