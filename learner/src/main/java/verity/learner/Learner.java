package verity.learner;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ComputeDispatcher;
import verity.actors.cluster.NodeIdentity;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.ServiceWatcher;
import verity.actors.cluster.StatusReporter;
import verity.actors.cluster.Topics;
import verity.actors.cluster.TrainingDispatcher;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.metrics.LatencyWindow;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LearnerProtocol.ScoredBatch;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.SettleLeases;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.StepMetrics;
import verity.actors.protocol.TrainingEvent;
import verity.actors.weights.FlatWeights;
import verity.learner.checkpoint.Checkpoint;
import verity.learner.checkpoint.CheckpointRef;
import verity.learner.checkpoint.CheckpointSettings;
import verity.learner.checkpoint.CheckpointStore;
import verity.learner.grpo.GroupAdvantages;
import verity.learner.grpo.GrpoTrainer;
import verity.learner.grpo.NonFiniteLossException;
import verity.learner.grpo.Objective;
import verity.learner.grpo.SupervisedTrainer;
import verity.learner.grpo.TrainingSample;
import verity.learner.ledger.TrainingLedger;
import verity.learner.shard.LearnerShard;
import verity.learner.shard.ShardedTrainer;
import verity.policy.NativeWork;
import verity.policy.Policy;
import verity.policy.ReplicaFactory;

/**
 * The learner: gathers scored trajectories into complete groups, checks their staleness when they
 * arrive and again when they are consumed, forms batches, applies GRPO steps on the compute
 * dispatcher, publishes each new version through its {@link PolicyStore}, and tells the task source
 * which leases are finished with so that more work is leased. At most one step runs at a time.
 *
 * <p>Crash safety: every applied step is journaled by its {@link TrainingLedger} before its leases
 * are settled, and every {@code every-steps} versions the weights and optimizer state are saved as
 * a checkpoint. On a restart on the same data directory the learner resumes from the newest good
 * checkpoint, discards the steps after it (their tasks are leased again), and drops any delivery of
 * a lease that a surviving step already consumed, so nothing is trained twice.
 *
 * <p>Settlements are sent without waiting for an answer, so one can be lost with a crashed node: on
 * resuming, the learner settles the leases of the surviving steps it still knows of again (the task
 * source ignores a lease settled before). A reopen must not be lost: it is sent again every {@link
 * #REOPEN_RESEND_INTERVAL}, and whenever the task source's location changes, until the task source
 * confirms it, and the ledger keeps it owed across restarts until then.
 */
public final class Learner extends AbstractBehavior<Learner.Command> {

  /** A message the learner accepts. */
  public sealed interface Command extends VerityMessage {}

  private record Intake(LearnerProtocol.Command message) implements Command, LocalOnly {}

  private record SettlementTargets(Set<ActorRef<LeaseProtocol.Command>> targets)
      implements Command, LocalOnly {}

  private record LedgerRecovered(TrainingLedger.Recovered recovered)
      implements Command, LocalOnly {}

  private record Ready(
      Policy policy, GrpoTrainer trainer, FlatWeights initial, CheckpointRef ref, boolean resumed)
      implements Command, LocalOnly {}

  private record Begun() implements Command, LocalOnly {}

  private record ResumedFrom(TrainingLedger.Resumed resumed) implements Command, LocalOnly {}

  private record StepDone(
      StepMetrics metrics, FlatWeights weights, List<Group> groups, Checkpoint checkpoint)
      implements Command, LocalOnly {}

  private record StepRecorded(TrainingLedger.StepRecorded recorded) implements Command, LocalOnly {}

  private record CheckpointWritten(CheckpointRef ref, Throwable failure)
      implements Command, LocalOnly {}

  private record CheckpointRecorded(CheckpointRef ref) implements Command, LocalOnly {}

  /** A step applied and published, waiting for its journal entry before its leases are settled. */
  private record Unrecorded(long step, List<Group> groups, StepMetrics metrics) {}

  private record StepFailed(Throwable cause, List<Group> groups) implements Command, LocalOnly {}

  private record ReopenAnswer(LeaseProtocol.ReopenConfirmed confirmed)
      implements Command, LocalOnly {}

  private enum ResendReopen implements Command, LocalOnly {
    INSTANCE
  }

  /** Publish the learner's status for the console. */
  private enum Report implements Command, LocalOnly {
    INSTANCE
  }

  private static final java.time.Duration REPORT_INTERVAL = java.time.Duration.ofSeconds(1);

  /** The samples of one leased task, in arrival order. */
  private record Group(LeaseId lease, List<ScoredTrajectory> members) {}

  private static final int WARM_START_REPORT_EVERY = 25;

  /**
   * How often an unconfirmed reopen is sent again: a resend is cheap (the task source confirms a
   * reopen it journaled before without journaling it again), and a lost one delays the reopened
   * tasks by this much, so it is not worth a setting.
   */
  static final Duration REOPEN_RESEND_INTERVAL = Duration.ofSeconds(2);

  private final LearnerSettings settings;
  private final Objective objective;
  private final ReplicaFactory replicas;
  private final DemonstrationSource demonstrations;
  private final CheckpointSettings checkpointing;
  private final CheckpointStore checkpoints;
  private final ExecutorService checkpointWriter;
  private final String suite;
  private final ActorRef<TrainingLedger.Command> ledger;
  private final ArrayDeque<Unrecorded> unrecorded = new ArrayDeque<>();
  private BitSet consumedLeases = new BitSet();
  private long duplicates;
  private long redelivered;
  private boolean begun;
  private boolean finalCheckpointPending;
  private long resumedFrom = -1;
  private final StalenessPolicy staleness;
  private final Executor compute;
  private final ActorRef<PolicyStore.Command> store;
  private final ActorRef<Topic.Command<TrainingEvent>> events;
  private final Map<LeaseId, List<ScoredTrajectory>> filling = new HashMap<>();
  private final Map<LeaseId, Integer> rejectedSeen = new HashMap<>();
  private final ArrayDeque<Group> ready = new ArrayDeque<>();
  private final Set<ActorRef<LeaseProtocol.Command>> settlementTargets = new HashSet<>();
  private final List<LeaseProtocol.Command> unsentSettlements = new ArrayList<>();
  private final TimerScheduler<Command> timers;
  private final ActorRef<LeaseProtocol.ReopenConfirmed> reopenAnswers;

  /** Leases (→ task) whose reopen the task source has not confirmed yet, in discarding order. */
  private final LinkedHashMap<Long, String> unconfirmedReopens = new LinkedHashMap<>();

  private Policy policy;

  /** The version the learner starts from, published once the ledger has recorded the start. */
  private FlatWeights published;

  private GrpoTrainer trainer;
  private ShardedTrainer sharded;
  private PolicyVersion version = PolicyVersion.INITIAL;
  private long steps;
  private boolean stepping;
  private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
  private boolean finished;
  private long consumed;
  private long rejectedStale;
  private final StatusReporter status;
  private final LatencyWindow stepLatency = new LatencyWindow(256);
  private long failed;

  /**
   * @param suite the suite trained on, journaled so that a data directory holds one run
   */
  public static Behavior<Command> create(
      LearnerSettings settings,
      CheckpointSettings checkpointing,
      String suite,
      Objective objective,
      ReplicaFactory replicas,
      DemonstrationSource demonstrations) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new Learner(
                        ctx,
                        timers,
                        settings,
                        checkpointing,
                        suite,
                        objective,
                        replicas,
                        demonstrations)));
  }

  private Learner(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      LearnerSettings settings,
      CheckpointSettings checkpointing,
      String suite,
      Objective objective,
      ReplicaFactory replicas,
      DemonstrationSource demonstrations) {
    super(ctx);
    this.timers = timers;
    this.reopenAnswers = ctx.messageAdapter(LeaseProtocol.ReopenConfirmed.class, ReopenAnswer::new);
    this.settings = settings;
    this.checkpointing = checkpointing;
    this.checkpoints = new CheckpointStore(checkpointing.dir(), checkpointing.retention());
    this.checkpointWriter =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "verity-checkpoint-writer");
              t.setDaemon(true);
              return t;
            });
    this.suite = suite;
    this.objective = objective;
    this.replicas = replicas;
    this.demonstrations = demonstrations;
    this.staleness = StalenessPolicy.from(settings);
    // Shards in this JVM compute gradients too: then all gradient work shares one thread (DJL
    // allows one gradient collector at a time). A lone learner shares the compute dispatcher with
    // the rollout workers, which measured faster on 2 cores than a thread of its own.
    this.compute =
        settings.shards() > 1
            ? TrainingDispatcher.executor(ctx.getSystem())
            : ComputeDispatcher.executor(ctx.getSystem());
    if (settings.shards() > 1) {
      LearnerShard.init(ctx.getSystem(), replicas);
    }
    this.store = ctx.spawn(PolicyStore.create(settings.weightChunkValues()), "policy-store");
    this.events = Topics.trainingEvents(ctx);
    this.status =
        new StatusReporter(ctx, NodeIdentity.name(ctx.getSystem()) + ":learner", "learner");
    timers.startTimerWithFixedDelay(Report.INSTANCE, REPORT_INTERVAL);
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.register(
                ServiceKeys.LEARNER,
                ctx.messageAdapter(LearnerProtocol.Command.class, Intake::new)));
    ServiceWatcher.spawn(ctx, ServiceKeys.LEASE_SETTLEMENT, SettlementTargets::new);
    this.ledger = ctx.spawn(TrainingLedger.create(checkpointing.retention()), "ledger");
    ledger.tell(
        new TrainingLedger.GetRecovered(
            ctx.messageAdapter(TrainingLedger.Recovered.class, LedgerRecovered::new)));
  }

  /** Builds the replica: from the newest good checkpoint, or fresh (after any warm start). */
  private Behavior<Command> onLedgerRecovered(LedgerRecovered in) {
    TrainingLedger.Recovered r = in.recovered();
    if (r.suite() != null && !r.suite().equals(suite)) {
      throw new IllegalStateException(
          "the journal holds a run of suite " + r.suite() + ", not " + suite);
    }
    consumedLeases = r.consumed();
    duplicates = r.duplicates();
    List<CheckpointRef> saved = r.checkpoints();
    CheckpointStore disk = checkpoints;
    ActorRef<Topic.Command<TrainingEvent>> ev = events;
    CompletableFuture<Ready> ready =
        CompletableFuture.supplyAsync(
            () -> {
              Policy p = replicas.create();
              GrpoTrainer t;
              if (!saved.isEmpty()) {
                CheckpointStore.Loaded c =
                    disk.loadLatestGood(saved)
                        .orElseThrow(
                            () ->
                                new IllegalStateException(
                                    "none of the "
                                        + saved.size()
                                        + " checkpoints in "
                                        + disk.dir()
                                        + " is intact; start over with --fresh"));
                t = new GrpoTrainer(p, objective, settings.learningRate(), settings.maxGradNorm());
                t.restore(c.checkpoint());
                return new Ready(p, t, c.checkpoint().weights(), c.ref(), true);
              }
              warmStart(p, settings.warmStart(), demonstrations, ev);
              t = new GrpoTrainer(p, objective, settings.learningRate(), settings.maxGradNorm());
              try {
                CheckpointRef ref = disk.save(t.checkpoint(PolicyVersion.INITIAL));
                return new Ready(p, t, t.export(PolicyVersion.INITIAL), ref, false);
              } catch (IOException e) {
                throw new UncheckedIOException("cannot write the first checkpoint", e);
              }
            },
            compute);
    getContext()
        .pipeToSelf(
            ready,
            (ok, err) -> {
              if (err != null) {
                throw new IllegalStateException("learner replica failed to start", err);
              }
              return ok;
            });
    return this;
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
        .onMessage(LedgerRecovered.class, this::onLedgerRecovered)
        .onMessage(Ready.class, this::onReady)
        .onMessage(Begun.class, this::onBegun)
        .onMessage(ResumedFrom.class, this::onResumed)
        .onMessage(StepRecorded.class, this::onStepRecorded)
        .onMessage(CheckpointWritten.class, this::onCheckpointWritten)
        .onMessage(CheckpointRecorded.class, this::onCheckpointRecorded)
        .onMessage(Intake.class, this::onIntake)
        .onMessage(SettlementTargets.class, this::onSettlementTargets)
        .onMessage(StepDone.class, this::onStepDone)
        .onMessage(StepFailed.class, this::onStepFailed)
        .onMessage(ReopenAnswer.class, this::onReopenConfirmed)
        .onMessage(ResendReopen.class, r -> onResendReopen())
        .onMessage(Report.class, r -> onReport())
        .onSignal(akka.actor.typed.PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onReady(Ready r) {
    policy = r.policy();
    trainer = r.trainer();
    if (settings.shards() > 1) {
      sharded =
          new ShardedTrainer(
              getContext().getSystem(),
              trainer,
              settings.shards(),
              compute,
              java.time.Duration.ofSeconds(60),
              objective,
              settings.learningRate(),
              settings.maxGradNorm());
    }
    version = r.initial().version();
    steps = version.value();
    published = r.initial();
    if (r.resumed()) {
      ledger.tell(
          new TrainingLedger.Resume(
              r.ref(),
              getContext().messageAdapter(TrainingLedger.Resumed.class, ResumedFrom::new)));
    } else {
      ledger.tell(
          new TrainingLedger.Begin(
              suite, r.ref(), getContext().messageAdapter(akka.Done.class, d -> new Begun())));
    }
    return this;
  }

  private Behavior<Command> onBegun(Begun b) {
    begun = true;
    finishIfAtMaxSteps();
    store.tell(new PolicyStore.Publish(published));
    getContext()
        .getLog()
        .info("learner ready: {} parameters, published {}", policy.parameterCount(), version);
    maybeStep();
    return this;
  }

  private Behavior<Command> onResumed(ResumedFrom in) {
    TrainingLedger.Resumed r = in.resumed();
    begun = true;
    resumedFrom = version.value();
    duplicates = r.duplicates();
    for (TrainingLedger.StepApplied step : r.discarded()) {
      for (long lease : step.leases()) {
        consumedLeases.clear(Math.toIntExact(lease));
      }
    }
    // A settlement lost with the crash would leave a consumed lease open, to expire and be leased
    // again; the task source ignores the leases among these that it has settled already.
    List<LeaseId> surviving = new ArrayList<>();
    for (TrainingLedger.StepApplied step : r.surviving()) {
      for (long lease : step.leases()) {
        surviving.add(new LeaseId(lease));
      }
    }
    if (!surviving.isEmpty()) {
      settle(surviving, Settlement.CONSUMED);
    }
    unconfirmedReopens.putAll(r.unconfirmedReopens());
    if (!unconfirmedReopens.isEmpty()) {
      sendReopen();
      timers.startTimerWithFixedDelay(ResendReopen.INSTANCE, REOPEN_RESEND_INTERVAL);
    }
    store.tell(new PolicyStore.Publish(published));
    getContext()
        .getLog()
        .info(
            "resumed from the checkpoint of {}: {} later steps discarded, {} leases to reopen, {}"
                + " consumed leases settled again",
            version,
            r.discarded().size(),
            unconfirmedReopens.size(),
            surviving.size());
    events.tell(
        Topic.publish(new TrainingEvent.Resumed(version, r.discarded().size(), duplicates)));
    finishIfAtMaxSteps();
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
    if (consumedLeases.get(Math.toIntExact(lease.value()))) {
      redelivered++; // a surviving step trained on this lease already
      return;
    }
    Integer seen = rejectedSeen.get(lease);
    if (seen != null) {
      rejectedStale++;
      forgetRejectedWhenComplete(lease, seen + 1, groupSize);
      return;
    }
    long behind = s.trajectory().oldestVersion().behind(version);
    // A version newer than the learner's own comes from steps a restart discarded (the learner
    // resumed from an older checkpoint while the worker still held later weights): dropped.
    boolean discardedLineage = s.trajectory().newestVersion().isNewerThan(version);
    if (discardedLineage || staleness.rejectsOnAdmission(behind)) {
      List<ScoredTrajectory> partial = filling.remove(lease);
      int count = 1 + (partial == null ? 0 : partial.size());
      rejectedStale += count;
      settle(List.of(lease), Settlement.REJECTED_STALE);
      forgetRejectedWhenComplete(lease, count, groupSize);
      return;
    }
    List<ScoredTrajectory> members = filling.computeIfAbsent(lease, l -> new ArrayList<>());
    for (ScoredTrajectory m : members) {
      if (m.trajectory().id().equals(s.trajectory().id())) {
        redelivered++; // the same trajectory scored twice (a resent batch)
        return;
      }
    }
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
    if (stepping
        || finished
        || !begun
        || trainer == null
        || ready.size() < settings.batchGroups()) {
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
    boolean last = settings.maxSteps() > 0 && next.value() >= settings.maxSteps();
    boolean checkpoint = last || next.value() % checkpointing.everySteps() == 0;
    GrpoTrainer t = trainer;
    CompletableFuture<StepDone> step;
    if (sharded == null) {
      step =
          CompletableFuture.supplyAsync(
              () -> {
                StepMetrics m = t.step(samples);
                return new StepDone(
                    m, t.export(next), groups, checkpoint ? t.checkpoint(next) : null);
              },
              compute);
    } else {
      step =
          sharded
              .step(steps + 1, version, next, samples)
              .toCompletableFuture()
              .thenApplyAsync(
                  r ->
                      new StepDone(
                          r.metrics(),
                          t.export(next),
                          groups,
                          checkpoint ? t.checkpoint(next) : null),
                  compute);
    }
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

  private Behavior<Command> onReport() {
    String state =
        finished ? "finished" : !begun ? "starting" : stepping ? "training" : "collecting";
    int buffered = filling.values().stream().mapToInt(List::size).sum();
    for (Group g : ready) {
      buffered += g.members().size();
    }
    status
        .state(state)
        .queue(buffered)
        .inFlight(stepping ? settings.batchGroups() : 0)
        .processed(steps)
        .latency(stepLatency)
        .version(version)
        .errors(rejectedStale + failed)
        .publish();
    return this;
  }

  private Behavior<Command> onStepDone(StepDone done) {
    stepping = false;
    steps++;
    stepLatency.add(done.metrics().stepMillis());
    version = done.weights().version();
    store.tell(new PolicyStore.Publish(done.weights()));
    long[] leases = new long[done.groups().size()];
    String[] tasks = new String[leases.length];
    for (int i = 0; i < leases.length; i++) {
      Group g = done.groups().get(i);
      leases[i] = g.lease().value();
      tasks[i] = g.members().get(0).trajectory().task().value();
      consumedLeases.set(Math.toIntExact(leases[i]));
    }
    unrecorded.add(new Unrecorded(steps, done.groups(), done.metrics()));
    ledger.tell(
        new TrainingLedger.RecordStep(
            new TrainingLedger.StepApplied(version.value(), leases, tasks),
            getContext().messageAdapter(TrainingLedger.StepRecorded.class, StepRecorded::new)));
    if (done.checkpoint() != null) {
      Checkpoint c = done.checkpoint();
      CheckpointStore disk = checkpoints;
      getContext()
          .pipeToSelf(
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return disk.save(c);
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  },
                  checkpointWriter),
              CheckpointWritten::new);
    }
    if (settings.maxSteps() > 0 && steps >= settings.maxSteps()) {
      finished = true;
      finalCheckpointPending = done.checkpoint() != null;
    }
    maybeStep();
    return this;
  }

  /** The step is journaled: its leases are settled and the step is reported. */
  private Behavior<Command> onStepRecorded(StepRecorded in) {
    Unrecorded u = unrecorded.poll();
    duplicates = in.recorded().duplicates();
    consumed += u.metrics().trajectories();
    settle(u.groups().stream().map(Group::lease).toList(), Settlement.CONSUMED);
    events.tell(
        Topic.publish(
            new TrainingEvent.StepCompleted(
                u.step(),
                PolicyVersion.of(in.recorded().step().version()),
                u.metrics(),
                consumed,
                rejectedStale,
                duplicates,
                resumedFrom)));
    if (finished && unrecorded.isEmpty() && !finalCheckpointPending) {
      finish();
    }
    return this;
  }

  private Behavior<Command> onCheckpointWritten(CheckpointWritten w) {
    if (w.failure() != null) {
      getContext()
          .getLog()
          .error("checkpoint not saved; the previous one still stands", w.failure());
    } else {
      ledger.tell(
          new TrainingLedger.RecordCheckpoint(
              w.ref(), getContext().messageAdapter(CheckpointRef.class, CheckpointRecorded::new)));
    }
    if (finalCheckpointPending) {
      finalCheckpointPending = false;
      if (unrecorded.isEmpty()) {
        finish();
      }
    }
    return this;
  }

  /** A resumed run may already be at its step limit: it trains no further. */
  private void finishIfAtMaxSteps() {
    if (settings.maxSteps() > 0 && steps >= settings.maxSteps()) {
      finished = true;
      finish();
    }
  }

  private Behavior<Command> onCheckpointRecorded(CheckpointRecorded r) {
    getContext().getLog().info("checkpoint of {} saved: {}", r.ref().version(), r.ref().path());
    events.tell(
        Topic.publish(new TrainingEvent.CheckpointSaved(r.ref().version(), r.ref().path())));
    return this;
  }

  private void finish() {
    getContext().getLog().info("reached max-steps {} at {}", settings.maxSteps(), version);
    events.tell(Topic.publish(new TrainingEvent.TrainingFinished(steps, version)));
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
      for (LeaseProtocol.Command s : unsentSettlements) {
        settlementTargets.forEach(target -> target.tell(s));
      }
      unsentSettlements.clear();
      sendReopen(); // the task source moved (or came back): it may never have had the last one
    }
    return this;
  }

  /** Sends every reopen not confirmed yet; nothing while no task source is known. */
  private void sendReopen() {
    if (unconfirmedReopens.isEmpty() || settlementTargets.isEmpty()) {
      return;
    }
    List<LeaseId> leases = new ArrayList<>(unconfirmedReopens.size());
    List<TaskId> tasks = new ArrayList<>(unconfirmedReopens.size());
    unconfirmedReopens.forEach(
        (lease, task) -> {
          leases.add(new LeaseId(lease));
          tasks.add(new TaskId(task));
        });
    LeaseProtocol.ReopenLeases reopen =
        new LeaseProtocol.ReopenLeases(leases, tasks, reopenAnswers);
    settlementTargets.forEach(target -> target.tell(reopen));
  }

  private Behavior<Command> onResendReopen() {
    if (unconfirmedReopens.isEmpty()) {
      timers.cancel(ResendReopen.INSTANCE);
    } else {
      sendReopen();
    }
    return this;
  }

  /** The task source journaled these reopens: the ledger stops owing them. */
  private Behavior<Command> onReopenConfirmed(ReopenAnswer answer) {
    List<Long> confirmed = new ArrayList<>();
    for (LeaseId lease : answer.confirmed().leases()) {
      if (unconfirmedReopens.remove(lease.value()) != null) {
        confirmed.add(lease.value());
      }
    }
    if (!confirmed.isEmpty()) {
      ledger.tell(
          new TrainingLedger.ConfirmReopen(
              confirmed.stream().mapToLong(Long::longValue).toArray()));
    }
    if (unconfirmedReopens.isEmpty()) {
      timers.cancel(ResendReopen.INSTANCE);
      if (!confirmed.isEmpty()) {
        getContext().getLog().info("the task source confirmed the reopen of every discarded lease");
      }
    }
    return this;
  }

  private void settle(List<LeaseId> leases, Settlement how) {
    send(new SettleLeases(leases, how, getContext().getSystem().ignoreRef()));
  }

  private void send(LeaseProtocol.Command message) {
    if (settlementTargets.isEmpty()) {
      unsentSettlements.add(message);
    } else {
      settlementTargets.forEach(target -> target.tell(message));
    }
  }

  private Behavior<Command> onStop() {
    checkpointWriter.shutdown();
    if (redelivered > 0) {
      getContext().getLog().info("{} repeated deliveries dropped", redelivered);
    }
    // Native memory must not be freed under a step that is still running.
    NativeWork.closeAfter(inFlight, policy);
    return this;
  }
}
