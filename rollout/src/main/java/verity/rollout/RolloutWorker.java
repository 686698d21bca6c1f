package verity.rollout;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.Routers;
import akka.actor.typed.pubsub.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ComputeDispatcher;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.cluster.Topics;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.Segment;
import verity.actors.protocol.TrainingEvent;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.VerifierProtocol;
import verity.actors.weights.FlatWeights;
import verity.policy.Policy;
import verity.policy.SampledBatch;

/**
 * Generates trajectories with its own policy replica. It pulls leases from the task source only
 * when it is idle, samples {@code groupSize} completions of every leased task side by side in one
 * batch, records the version and per-token log-probs of each, and sends the batch to a reward
 * verifier. New weights are fetched in the background and swapped in between batches; nothing is
 * generated before the first version arrived.
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

  private final String name;
  private final String suite;
  private final RolloutSettings settings;
  private final float temperature;
  private final SplittableRandom random;
  private final Executor compute;
  private final ActorRef<VerifierProtocol.Command> verifiers;
  private final ActorRef<TaskSource.Leases> leaseReplies;
  private final ActorRef<Topic.Command<TrainingEvent>> events;
  private Optional<ActorRef<TaskSource.Command>> source = Optional.empty();
  private Policy policy;
  private FlatWeights staged;
  private boolean loaded;
  private boolean requested;
  private boolean generating;
  private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
  private long trajectories;
  private long tokens;

  public static Behavior<Command> create(
      String name,
      String suite,
      RolloutSettings settings,
      float temperature,
      long seed,
      ReplicaFactory replicas) {
    return Behaviors.setup(
        ctx -> new RolloutWorker(ctx, name, suite, settings, temperature, seed, replicas));
  }

  private RolloutWorker(
      ActorContext<Command> ctx,
      String name,
      String suite,
      RolloutSettings settings,
      float temperature,
      long seed,
      ReplicaFactory replicas) {
    super(ctx);
    this.name = name;
    this.suite = suite;
    this.settings = settings;
    this.temperature = temperature;
    this.random = new SplittableRandom(seed);
    this.compute = ComputeDispatcher.executor(ctx.getSystem());
    this.verifiers =
        ctx.spawn(Routers.group(ServiceKeys.VERIFIERS).withRoundRobinRouting(), "verifiers");
    this.leaseReplies = ctx.messageAdapter(TaskSource.Leases.class, Leased::new);
    this.events = Topics.trainingEvents(ctx);
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
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onReplicaReady(ReplicaReady r) {
    policy = r.policy();
    maybeRequest();
    return this;
  }

  private Behavior<Command> onStaged(Staged s) {
    staged = s.ready().weights();
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
        || (!loaded && staged == null)
        || source.isEmpty()
        || requested
        || generating) {
      return;
    }
    requested = true;
    source.get().tell(new TaskSource.RequestTasks(settings.tasksPerRequest(), name, leaseReplies));
  }

  private Behavior<Command> onLeased(Leased l) {
    requested = false;
    List<TaskSource.Lease> leases = l.leases().leases();
    if (leases.isEmpty()) {
      maybeRequest();
      return this;
    }
    generating = true;
    FlatWeights swap = staged;
    staged = null;
    loaded = true;
    Policy p = policy;
    CompletableFuture<Generated> job =
        CompletableFuture.supplyAsync(() -> generate(p, swap, leases), compute);
    inFlight = job;
    getContext().pipeToSelf(job, (ok, err) -> ok != null ? ok : new GenerationFailed(err));
    return this;
  }

  /** Runs on the compute dispatcher. */
  private Generated generate(Policy p, FlatWeights swap, List<TaskSource.Lease> leases) {
    long started = System.nanoTime();
    if (swap != null) {
      // The follower only ever delivers versions newer than the one before.
      p.importWeights(swap);
    }
    int g = settings.groupSize();
    int[][] prompts = new int[leases.size() * g][];
    for (int i = 0; i < leases.size(); i++) {
      for (int j = 0; j < g; j++) {
        prompts[i * g + j] = leases.get(i).prompt();
      }
    }
    SampledBatch batch = p.sample(prompts, temperature, random);
    PolicyVersion version = p.version();
    List<Trajectory> out = new ArrayList<>(prompts.length);
    for (int i = 0; i < leases.size(); i++) {
      TaskSource.Lease lease = leases.get(i);
      for (int j = 0; j < g; j++) {
        int row = i * g + j;
        int[] completion = batch.completions()[row];
        out.add(
            new Trajectory(
                new TrajectoryId(lease.id(), j),
                suite,
                lease.task(),
                g,
                lease.prompt(),
                completion,
                Trajectory.allSampled(completion.length),
                batch.logProbs()[row],
                List.of(new Segment(0, completion.length, version)),
                name));
      }
    }
    return new Generated(out, batch.tokens(), (System.nanoTime() - started) / 1e6);
  }

  private Behavior<Command> onGenerated(Generated g) {
    generating = false;
    trajectories += g.trajectories().size();
    tokens += g.tokens();
    verifiers.tell(new VerifierProtocol.VerifyBatch(g.trajectories()));
    PolicyVersion version = g.trajectories().get(0).segments().get(0).version();
    events.tell(
        Topic.publish(
            new TrainingEvent.RolloutReport(name, version, trajectories, tokens, g.millis())));
    maybeRequest();
    return this;
  }

  private Behavior<Command> onGenerationFailed(GenerationFailed f) {
    throw new IllegalStateException(name + ": generation failed", f.cause());
  }

  private Behavior<Command> onStop() {
    Policy p = policy;
    if (p != null) {
      inFlight.whenComplete((ok, err) -> p.close());
    }
    return this;
  }
}
