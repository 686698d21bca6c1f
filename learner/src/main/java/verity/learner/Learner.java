package verity.learner;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ComputeDispatcher;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.cluster.Topics;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LearnerProtocol.ScoredBatch;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.LeasesSettled;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.StepMetrics;
import verity.actors.protocol.TrainingEvent;
import verity.actors.weights.FlatWeights;
import verity.learner.grpo.GroupAdvantages;
import verity.learner.grpo.GrpoTrainer;
import verity.learner.grpo.NonFiniteLossException;
import verity.learner.grpo.Objective;
import verity.learner.grpo.SupervisedTrainer;
import verity.learner.grpo.TrainingSample;
import verity.policy.Policy;

/**
 * The learner: gathers scored trajectories into complete groups, checks their staleness when they
 * arrive and again when they are consumed, forms batches, applies GRPO steps on the compute
 * dispatcher, publishes each new version through its {@link PolicyStore}, and tells the task source
 * which leases are finished with so that more work is leased. At most one step runs at a time.
 */
public final class Learner extends AbstractBehavior<Learner.Command> {

  /** A message the learner accepts. */
  public sealed interface Command extends VerityMessage {}

  private record Intake(LearnerProtocol.Command message) implements Command, LocalOnly {}

  private record SettlementTargets(Set<ActorRef<LeaseProtocol.Command>> targets)
      implements Command, LocalOnly {}

  private record Ready(Policy policy, GrpoTrainer trainer, FlatWeights initial)
      implements Command, LocalOnly {}

  private record StepDone(StepMetrics metrics, FlatWeights weights, List<Group> groups)
      implements Command, LocalOnly {}

  private record StepFailed(Throwable cause, List<Group> groups) implements Command, LocalOnly {}

  /** The samples of one leased task, in arrival order. */
  private record Group(LeaseId lease, List<ScoredTrajectory> members) {}

  /** Builds the replica the learner trains; runs on the compute dispatcher. */
  @FunctionalInterface
  public interface ReplicaFactory {
    Policy create();
  }

  private static final int WARM_START_REPORT_EVERY = 25;

  private final LearnerSettings settings;
  private final StalenessPolicy staleness;
  private final Executor compute;
  private final ActorRef<PolicyStore.Command> store;
  private final ActorRef<Topic.Command<TrainingEvent>> events;
  private final Map<LeaseId, List<ScoredTrajectory>> filling = new HashMap<>();
  private final Map<LeaseId, Integer> rejectedSeen = new HashMap<>();
  private final ArrayDeque<Group> ready = new ArrayDeque<>();
  private final Set<ActorRef<LeaseProtocol.Command>> settlementTargets = new HashSet<>();
  private final List<LeasesSettled> unsentSettlements = new ArrayList<>();

  private Policy policy;
  private GrpoTrainer trainer;
  private PolicyVersion version = PolicyVersion.INITIAL;
  private long steps;
  private boolean stepping;
  private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
  private boolean finished;
  private long consumed;
  private long rejectedStale;
  private long failed;

  public static Behavior<Command> create(
      LearnerSettings settings,
      Objective objective,
      ReplicaFactory replicas,
      DemonstrationSource demonstrations) {
    return Behaviors.setup(ctx -> new Learner(ctx, settings, objective, replicas, demonstrations));
  }

  private Learner(
      ActorContext<Command> ctx,
      LearnerSettings settings,
      Objective objective,
      ReplicaFactory replicas,
      DemonstrationSource demonstrations) {
    super(ctx);
    this.settings = settings;
    this.staleness = StalenessPolicy.from(settings);
    this.compute = ComputeDispatcher.executor(ctx.getSystem());
    this.store = ctx.spawn(PolicyStore.create(settings.weightChunkValues()), "policy-store");
    this.events = Topics.trainingEvents(ctx);
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.register(
                ServiceKeys.LEARNER,
                ctx.messageAdapter(LearnerProtocol.Command.class, Intake::new)));
    ServiceWatcher.spawn(ctx, ServiceKeys.LEASE_SETTLEMENT, SettlementTargets::new);
    ctx.pipeToSelf(
        CompletableFuture.supplyAsync(
            () -> {
              Policy p = replicas.create();
              warmStart(p, settings.warmStart(), demonstrations, events);
              GrpoTrainer t =
                  new GrpoTrainer(p, objective, settings.learningRate(), settings.maxGradNorm());
              return new Ready(p, t, p.exportWeights(PolicyVersion.INITIAL));
            },
            compute),
        (ok, err) -> {
          if (err != null) {
            throw new IllegalStateException("learner replica failed to start", err);
          }
          return ok;
        });
  }

  /** Runs on the compute dispatcher, before the first version exists. */
  private static void warmStart(
      Policy policy,
      LearnerSettings.WarmStart warm,
      DemonstrationSource demonstrations,
      ActorRef<Topic.Command<TrainingEvent>> events) {
    if (warm.steps() == 0) {
      return;
    }
    SupervisedTrainer sft = new SupervisedTrainer(policy, warm.learningRate());
    for (int step = 1; step <= warm.steps(); step++) {
      DemonstrationSource.Demonstrations d = demonstrations.next(warm.batch());
      double loss = sft.step(d.prompts(), d.completions());
      if (step % WARM_START_REPORT_EVERY == 0 || step == warm.steps()) {
        events.tell(Topic.publish(new TrainingEvent.WarmStartProgress(step, warm.steps(), loss)));
      }
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Ready.class, this::onReady)
        .onMessage(Intake.class, this::onIntake)
        .onMessage(SettlementTargets.class, this::onSettlementTargets)
        .onMessage(StepDone.class, this::onStepDone)
        .onMessage(StepFailed.class, this::onStepFailed)
        .onSignal(akka.actor.typed.PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onReady(Ready r) {
    policy = r.policy();
    trainer = r.trainer();
    store.tell(new PolicyStore.Publish(r.initial()));
    getContext()
        .getLog()
        .info("learner ready: {} parameters, published {}", policy.parameterCount(), version);
    maybeStep();
    return this;
  }

  private Behavior<Command> onIntake(Intake in) {
    ScoredBatch batch = (ScoredBatch) in.message();
    for (ScoredTrajectory s : batch.scored()) {
      admit(s);
    }
    maybeStep();
    return this;
  }

  private void admit(ScoredTrajectory s) {
    if (finished) {
      return; // the run is over; nothing more is trained or settled
    }
    LeaseId lease = s.trajectory().id().lease();
    int groupSize = s.trajectory().groupSize();
    Integer seen = rejectedSeen.get(lease);
    if (seen != null) {
      rejectedStale++;
      forgetRejectedWhenComplete(lease, seen + 1, groupSize);
      return;
    }
    long behind = s.trajectory().oldestVersion().behind(version);
    if (staleness.rejectsOnAdmission(behind)) {
      List<ScoredTrajectory> partial = filling.remove(lease);
      int count = 1 + (partial == null ? 0 : partial.size());
      rejectedStale += count;
      settle(List.of(lease), Settlement.REJECTED_STALE);
      forgetRejectedWhenComplete(lease, count, groupSize);
      return;
    }
    List<ScoredTrajectory> members = filling.computeIfAbsent(lease, l -> new ArrayList<>());
    members.add(s);
    if (members.size() >= groupSize) {
      filling.remove(lease);
      ready.add(new Group(lease, List.copyOf(members)));
    }
  }

  private void forgetRejectedWhenComplete(LeaseId lease, int seen, int groupSize) {
    if (seen >= groupSize) {
      rejectedSeen.remove(lease);
    } else {
      rejectedSeen.put(lease, seen);
    }
  }

  private void maybeStep() {
    if (stepping || finished || trainer == null || ready.size() < settings.batchGroups()) {
      return;
    }
    List<Group> groups = new ArrayList<>(settings.batchGroups());
    List<TrainingSample> samples = new ArrayList<>();
    List<LeaseId> stale = new ArrayList<>();
    while (groups.size() < settings.batchGroups() && !ready.isEmpty()) {
      Group g = ready.poll();
      long behind = oldest(g).behind(version);
      float weight = staleness.weight(behind);
      if (weight == 0f) {
        stale.add(g.lease());
        rejectedStale += g.members().size();
        continue;
      }
      groups.add(g);
      samples.addAll(samples(g, weight));
    }
    if (!stale.isEmpty()) {
      settle(stale, Settlement.REJECTED_STALE);
    }
    if (groups.size() < settings.batchGroups()) {
      ready.addAll(groups); // not enough fresh groups left for a batch: wait for more
      return;
    }
    stepping = true;
    PolicyVersion next = version.next();
    GrpoTrainer t = trainer;
    CompletableFuture<StepDone> step =
        CompletableFuture.supplyAsync(
            () -> {
              StepMetrics m = t.step(samples);
              return new StepDone(m, t.export(next), groups);
            },
            compute);
    inFlight = step;
    getContext().pipeToSelf(step, (ok, err) -> ok != null ? ok : new StepFailed(err, groups));
  }

  private List<TrainingSample> samples(Group g, float weight) {
    double[] rewards = new double[g.members().size()];
    for (int i = 0; i < rewards.length; i++) {
      rewards[i] = g.members().get(i).verdict().reward();
    }
    float[] advantages = GroupAdvantages.of(rewards, settings.normalizeAdvantageStd());
    List<TrainingSample> out = new ArrayList<>(rewards.length);
    for (int i = 0; i < rewards.length; i++) {
      var t = g.members().get(i).trajectory();
      out.add(
          new TrainingSample(
              t.prompt(),
              t.tokens(),
              t.policyMask(),
              t.logProbs(),
              advantages[i],
              weight,
              rewards[i],
              t.oldestVersion().behind(version)));
    }
    return out;
  }

  private static PolicyVersion oldest(Group g) {
    PolicyVersion oldest = g.members().get(0).trajectory().oldestVersion();
    for (ScoredTrajectory s : g.members()) {
      if (oldest.isNewerThan(s.trajectory().oldestVersion())) {
        oldest = s.trajectory().oldestVersion();
      }
    }
    return oldest;
  }

  private Behavior<Command> onStepDone(StepDone done) {
    stepping = false;
    steps++;
    version = done.weights().version();
    consumed += done.metrics().trajectories();
    store.tell(new PolicyStore.Publish(done.weights()));
    settle(done.groups().stream().map(Group::lease).toList(), Settlement.CONSUMED);
    events.tell(
        Topic.publish(
            new TrainingEvent.StepCompleted(
                steps, version, done.metrics(), consumed, rejectedStale)));
    if (settings.maxSteps() > 0 && steps >= settings.maxSteps()) {
      finished = true;
      getContext().getLog().info("reached max-steps {} at {}", settings.maxSteps(), version);
      events.tell(Topic.publish(new TrainingEvent.TrainingFinished(steps, version)));
    }
    maybeStep();
    return this;
  }

  private Behavior<Command> onStepFailed(StepFailed f) {
    stepping = false;
    Throwable cause =
        f.cause() instanceof java.util.concurrent.CompletionException c ? c.getCause() : f.cause();
    if (!(cause instanceof NonFiniteLossException)) {
      throw new IllegalStateException("learner step failed", cause);
    }
    long dropped = f.groups().stream().mapToLong(g -> g.members().size()).sum();
    failed += dropped;
    getContext().getLog().error("{} ({} trajectories dropped so far)", cause.getMessage(), failed);
    settle(f.groups().stream().map(Group::lease).toList(), Settlement.FAILED);
    maybeStep();
    return this;
  }

  private Behavior<Command> onSettlementTargets(SettlementTargets t) {
    settlementTargets.clear();
    settlementTargets.addAll(t.targets());
    if (!settlementTargets.isEmpty()) {
      for (LeasesSettled s : unsentSettlements) {
        settlementTargets.forEach(target -> target.tell(s));
      }
      unsentSettlements.clear();
    }
    return this;
  }

  private void settle(List<LeaseId> leases, Settlement how) {
    LeasesSettled message = new LeasesSettled(leases, how);
    if (settlementTargets.isEmpty()) {
      unsentSettlements.add(message);
    } else {
      settlementTargets.forEach(target -> target.tell(message));
    }
  }

  private Behavior<Command> onStop() {
    Policy p = policy;
    // Native memory must not be freed under a step that is still running.
    inFlight.whenComplete(
        (ok, err) -> {
          if (p != null) {
            p.close();
          }
        });
    return this;
  }
}
