package verity.learner;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.StashBuffer;
import akka.actor.typed.pubsub.Topic;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.ids.LeaseId;
import verity.actors.ids.LeaseSet;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.protocol.TrainingEvent;
import verity.learner.checkpoint.CheckpointSettings;
import verity.learner.checkpoint.CheckpointStore;
import verity.learner.grpo.Objective;
import verity.learner.ledger.TrainingLedger;
import verity.learner.ledger.VersionLineage;
import verity.learner.settle.SettlementSender;
import verity.learner.step.StepRunner;
import verity.policy.ReplicaFactory;

/**
 * The learner: turns scored trajectories into steps and publishes each new version through its
 * {@link PolicyStore}. An actor of three behaviours: {@link #recovering} (here: the journal is
 * read, the replica starts from the newest good checkpoint or fresh, the start or the resume is
 * journaled), then {@link LearnerTraining#ready} and {@link LearnerTraining#finished}. The rules
 * live in plain parts: {@link LearnerBootstrap}, {@link verity.learner.intake.GroupAssembler},
 * {@link verity.learner.intake.BatchFormer}, {@link verity.learner.settle.SettlementOutbox} (sent
 * by its child {@link SettlementSender}) and a {@link StepRunner} (one replica, or learner shards).
 *
 * <p>Exactly once: a complete group is trained only after the task source granted the claim on its
 * lease; every step is journaled by the {@link TrainingLedger} before its leases are settled;
 * settlements, reopens and the release of a former incarnation's claims are sent until confirmed.
 * Every restart resumes from the newest good checkpoint in a new epoch of versions, so trajectories
 * of the steps it discarded are recognised and dropped wherever they turn up.
 */
public final class Learner {

  /** A message the learner accepts. */
  public sealed interface Command extends VerityMessage {}

  record Intake(LearnerProtocol.Command message) implements Command, LocalOnly {}

  record Recovered(TrainingLedger.LedgerRecovery recovery) implements Command, LocalOnly {}

  record ReplicaStarted(LearnerBootstrap.Started started) implements Command, LocalOnly {}

  /** The replica could not be built, loaded or warm-started. */
  record ReplicaFailed(Throwable cause) implements Command, LocalOnly {}

  record Begun() implements Command, LocalOnly {}

  record Planned(TrainingLedger.ResumePlan plan) implements Command, LocalOnly {}

  record Claims(SettlementSender.ClaimsDecided decided) implements Command, LocalOnly {}

  record StepFinished(
      StepRunner.StepResult result, verity.learner.intake.BatchFormer.Formation batch)
      implements Command, LocalOnly {}

  record StepFailed(Throwable cause, verity.learner.intake.BatchFormer.Formation batch)
      implements Command, LocalOnly {}

  record Recorded(TrainingLedger.StepRecorded recorded) implements Command, LocalOnly {}

  record CheckpointWritten(verity.learner.checkpoint.CheckpointRef ref, Throwable failure)
      implements Command, LocalOnly {}

  record Kept(TrainingLedger.CheckpointKept kept) implements Command, LocalOnly {}

  /** Publish the status. */
  enum Tick implements Command, LocalOnly {
    INSTANCE
  }

  static final Duration TICK = Duration.ofSeconds(1);

  /** Deliveries kept while the learner starts; more are dropped (their leases go out again). */
  private static final int STASH = 100_000;

  private final LearnerParts parts;
  private final StashBuffer<Command> stash;
  private final String suite;
  private final Objective objective;
  private final LearnerBootstrap bootstrap;
  private final LearnerProgress progress = new LearnerProgress();
  private TrainingLedger.LedgerRecovery recovery;
  private LearnerBootstrap.Started started;

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
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
                  CheckpointStore checkpoints = new CheckpointStore(checkpointing.dir());
                  LearnerBootstrap bootstrap =
                      new LearnerBootstrap(
                          settings, objective, replicas, demonstrations, checkpoints);
                  LearnerParts parts =
                      LearnerParts.of(ctx, settings, checkpointing, replicas, checkpoints);
                  return Behaviors.withStash(
                      STASH,
                      stash -> new Learner(parts, stash, suite, objective, bootstrap).recovering());
                }));
  }

  private Learner(
      LearnerParts parts,
      StashBuffer<Command> stash,
      String suite,
      Objective objective,
      LearnerBootstrap bootstrap) {
    this.parts = parts;
    this.stash = stash;
    this.suite = suite;
    this.objective = objective;
    this.bootstrap = bootstrap;
  }

  /** Until the journal is read, the replica started and the start or resume journaled. */
  private Behavior<Command> recovering() {
    return Behaviors.receive(Command.class)
        .onMessage(Recovered.class, this::onRecovered)
        .onMessage(ReplicaStarted.class, this::onStarted)
        .onMessage(ReplicaFailed.class, this::onReplicaFailed)
        .onMessage(Begun.class, b -> onBegun())
        .onMessage(Planned.class, this::onPlanned)
        .onMessage(Intake.class, this::stashOrDrop)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onSignal(akka.actor.typed.PostStop.class, s -> onStop())
        .build();
  }

  private Behavior<Command> onRecovered(Recovered in) {
    recovery = in.recovery();
    if (recovery.suite() != null && !recovery.suite().equals(suite)) {
      throw new IllegalStateException(
          "the journal holds a run of suite " + recovery.suite() + ", not " + suite);
    }
    var events = parts.events();
    parts
        .ctx()
        .pipeToSelf(
            CompletableFuture.supplyAsync(
                () -> bootstrap.start(recovery.checkpoints(), e -> events.tell(Topic.publish(e))),
                parts.compute()),
            // Not thrown here: Akka turns an adapter's exception into a signal this behaviour
            // does not handle, and the learner would wait for its replica forever in silence.
            (ok, err) -> err != null ? new ReplicaFailed(err) : new ReplicaStarted(ok));
    return Behaviors.same();
  }

  /** Fails the learner, loudly: whoever supervises it (the run coordinator) starts it again. */
  private Behavior<Command> onReplicaFailed(ReplicaFailed in) {
    Throwable cause = in.cause() instanceof CompletionException c ? c.getCause() : in.cause();
    // Akka logs the failure, with this message and its cause, as the learner stops.
    throw new IllegalStateException("learner replica failed to start: " + cause, cause);
  }

  private Behavior<Command> onStarted(ReplicaStarted in) {
    progress.startedAt(in.started().initial());
    started = in.started().withoutWeights();
    var ctx = parts.ctx();
    if (started.resumed()) {
      parts
          .ledger()
          .tell(
              new TrainingLedger.Resume(
                  started.ref(),
                  ctx.messageAdapter(TrainingLedger.ResumePlan.class, Planned::new)));
    } else {
      parts
          .ledger()
          .tell(
              new TrainingLedger.Begin(
                  suite, started.ref(), ctx.messageAdapter(akka.Done.class, d -> new Begun())));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onBegun() {
    parts
        .log()
        .info(
            "learner ready: {} parameters, published {}",
            started.policy().parameterCount(),
            started.initialVersion());
    return train(VersionLineage.first(), recovery.consumed());
  }

  private Behavior<Command> onPlanned(Planned in) {
    TrainingLedger.ResumePlan plan = in.plan();
    progress.resumedIn(plan.lineage().epoch(), plan.duplicates());
    LeaseSet surviving = recovery.consumed();
    plan.discarded().forEach(step -> step.leases().forEach(surviving::remove));
    Map<LeaseId, TaskId> reopen = new LinkedHashMap<>(plan.unconfirmedReopens());
    // A settlement lost with the crash would leave a trained lease claimed: settled again first,
    // then the reopens; the sender releases the old epochs' claims only once both are confirmed.
    for (TrainingLedger.StepApplied step : plan.unsettled()) {
      parts
          .sender()
          .tell(new SettlementSender.Settle(step.leases(), Settlement.CONSUMED, step.version()));
    }
    parts.sender().tell(new SettlementSender.Reopen(reopen));
    parts.sender().tell(new SettlementSender.ReleaseEarlierClaims(plan.lineage().epoch()));
    parts
        .log()
        .info(
            "resumed from the checkpoint of {} as epoch {}: {} later steps discarded, {} leases to"
                + " reopen, {} steps' settlements sent again",
            started.initialVersion(),
            plan.lineage().epoch(),
            plan.discarded().size(),
            reopen.size(),
            plan.unsettled().size());
    parts.publish(
        (new TrainingEvent.Resumed(
            started.initialVersion(), plan.discarded().size(), plan.duplicates())));
    return train(plan.lineage(), surviving);
  }

  private Behavior<Command> train(VersionLineage lineage, LeaseSet consumed) {
    LearnerTraining training =
        new LearnerTraining(
            parts,
            progress,
            started.policy(),
            StepRunner.of(
                parts.ctx().getSystem(),
                started.trainer(),
                parts.settings(),
                objective,
                parts.compute(),
                parts.checkpointWriter(),
                PolicyStore.releaser(parts.store(), parts.ctx().getSystem())),
            lineage,
            consumed);
    return stash.unstashAll(training.begin());
  }

  private Behavior<Command> stashOrDrop(Intake in) {
    if (stash.isFull()) {
      progress.droppedWhileStarting(((LearnerProtocol.ScoredBatch) in.message()).scored().size());
    } else {
      stash.stash(in);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onTick() {
    parts.status().state("starting").queue(stash.size()).errors(progress.errors()).publish();
    return Behaviors.same();
  }

  private Behavior<Command> onStop() {
    parts.checkpointWriter().close();
    if (started != null) {
      started.policy().close();
    }
    return Behaviors.same();
  }
}
