package verity.learner;

import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.BehaviorBuilder;
import akka.actor.typed.javadsl.Behaviors;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import verity.actors.ids.LeaseId;
import verity.actors.ids.LeaseSet;
import verity.actors.ids.PolicyVersion;
import verity.actors.metrics.LatencyWindow;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.TrainingEvent;
import verity.learner.Learner.Command;
import verity.learner.grpo.NonFiniteLossException;
import verity.learner.intake.BatchFormer;
import verity.learner.intake.Group;
import verity.learner.intake.GroupAssembler;
import verity.learner.ledger.TrainingLedger;
import verity.learner.ledger.VersionLineage;
import verity.learner.settle.SettlementSender;
import verity.learner.step.StepRunner;
import verity.policy.NativeWork;
import verity.policy.Policy;

/**
 * The {@link Learner}'s behaviours once it has started: {@link #ready} takes scored trajectories
 * into groups, claims each complete group's lease, forms batches of the granted ones and runs one
 * step at a time; {@link #finished} (the step limit is reached, or a checkpoint could not be
 * written) trains nothing more, but lets the last steps be journaled and settled.
 */
final class LearnerTraining {
  private final LearnerParts parts;
  private final LearnerProgress progress;
  private final Policy policy;
  private final StepRunner runner;
  private final VersionLineage lineage;
  private final LeaseSet consumed;
  private final GroupAssembler assembler;
  private final BatchFormer former;
  private final Map<LeaseId, Group> claiming = new HashMap<>();
  private final ArrayDeque<Learner.StepFinished> unrecorded = new ArrayDeque<>();
  private final LatencyWindow stepLatency = new LatencyWindow(256);
  private PolicyVersion version;
  private boolean stepping;
  private boolean checkpointPending;
  private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);

  LearnerTraining(
      LearnerParts parts,
      LearnerProgress progress,
      Policy policy,
      StepRunner runner,
      VersionLineage lineage,
      LeaseSet consumed) {
    this.parts = parts;
    this.progress = progress;
    this.policy = policy;
    this.runner = runner;
    this.lineage = lineage;
    this.consumed = consumed;
    StalenessPolicy staleness = StalenessPolicy.from(parts.settings());
    this.assembler = new GroupAssembler(staleness, consumed);
    this.former =
        new BatchFormer(
            parts.settings().batchGroups(), staleness, parts.settings().normalizeAdvantageStd());
  }

  /** Publishes the starting version (named in the lineage's epoch) and starts training. */
  Behavior<Command> begin() {
    version = progress.published().inEpoch(lineage.epoch());
    parts.store().tell(new PolicyStore.Publish(progress.publishInitial(version)));
    if (atMaxSteps()) {
      finish();
      return finished();
    }
    return ready();
  }

  private Behavior<Command> ready() {
    return common()
        .onMessage(Learner.Intake.class, this::onIntake)
        .onMessage(Learner.Claims.class, this::onClaims)
        .build();
  }

  private Behavior<Command> finished() {
    return common()
        .onMessage(Learner.Intake.class, i -> Behaviors.same())
        .onMessage(Learner.Claims.class, c -> Behaviors.same())
        .build();
  }

  private BehaviorBuilder<Command> common() {
    return Behaviors.receive(Command.class)
        .onMessage(Learner.StepFinished.class, this::onStepFinished)
        .onMessage(Learner.StepFailed.class, this::onStepFailed)
        .onMessage(Learner.Recorded.class, this::onRecorded)
        .onMessage(Learner.CheckpointWritten.class, this::onCheckpointWritten)
        .onMessage(Learner.Kept.class, this::onKept)
        .onMessageEquals(Learner.Tick.INSTANCE, this::onTick)
        .onSignal(PostStop.class, s -> onStop());
  }

  private Behavior<Command> onIntake(Learner.Intake in) {
    List<LeaseId> complete = new ArrayList<>();
    for (ScoredTrajectory s : ((LearnerProtocol.ScoredBatch) in.message()).scored()) {
      GroupAssembler.Admission a = assembler.admit(s, version, lineage);
      switch (a.outcome()) {
        case COMPLETED -> {
          claiming.put(a.lease(), a.group());
          complete.add(a.lease());
        }
        case REJECTED -> {
          progress.rejectedStale(a.rejected());
          settle(List.of(a.lease()), Settlement.REJECTED_STALE, null);
        }
        case REJECTED_AGAIN -> progress.rejectedStale(a.rejected());
        case REPEATED -> progress.repeated(1);
        case ADDED -> {}
      }
    }
    if (!complete.isEmpty()) {
      parts.sender().tell(new SettlementSender.Claim(complete, lineage.epoch()));
    }
    return maybeStep();
  }

  private Behavior<Command> onClaims(Learner.Claims in) {
    in.decided().granted().forEach(l -> former.add(claiming.remove(l)));
    in.decided().refused().forEach(l -> progress.closedLease(claiming.remove(l).members().size()));
    return maybeStep();
  }

  private Behavior<Command> maybeStep() {
    if (stepping) {
      return Behaviors.same();
    }
    BatchFormer.Formation batch = former.form(version, consumed::contains);
    batch.stale().forEach(g -> progress.rejectedStale(g.members().size()));
    batch.consumed().forEach(g -> progress.repeated(g.members().size()));
    settle(batch.staleLeases(), Settlement.REJECTED_STALE, null);
    if (!batch.ready()) {
      return Behaviors.same();
    }
    stepping = true;
    PolicyVersion next = version.next();
    boolean last = atMaxSteps(next);
    boolean checkpoint = last || next.value() % parts.checkpointing().everySteps() == 0;
    CompletableFuture<StepRunner.StepResult> step =
        runner.step(next.value(), version, next, batch.samples(), checkpoint);
    // Native memory must outlive the step and the checkpoint it started, which reads the
    // replica's tensors on the writer's thread after the step has returned.
    inFlight =
        step.handle((r, err) -> r == null || r.checkpoint() == null ? null : r.checkpoint())
            .thenCompose(
                written ->
                    written == null
                        ? CompletableFuture.completedFuture(null)
                        : written.handle((ref, err) -> null));
    parts
        .ctx()
        .pipeToSelf(
            step,
            (ok, err) ->
                ok != null
                    ? new Learner.StepFinished(ok, batch)
                    : new Learner.StepFailed(err, batch));
    return Behaviors.same();
  }

  private Behavior<Command> onStepFinished(Learner.StepFinished done) {
    stepping = false;
    StepRunner.StepResult r = done.result();
    stepLatency.add(r.metrics().stepMillis());
    version = r.weights().version();
    progress.published(version);
    parts.store().tell(new PolicyStore.Publish(r.weights()));
    List<Group> groups = done.batch().groups();
    groups.forEach(g -> consumed.add(g.lease()));
    unrecorded.add(done);
    parts
        .ledger()
        .tell(
            new TrainingLedger.RecordStep(
                new TrainingLedger.StepApplied(
                    version,
                    groups.stream().map(Group::lease).toList(),
                    groups.stream().map(Group::task).toList()),
                parts
                    .ctx()
                    .messageAdapter(TrainingLedger.StepRecorded.class, Learner.Recorded::new)));
    if (r.checkpoint() != null) {
      checkpointPending = true;
      parts.ctx().pipeToSelf(r.checkpoint(), Learner.CheckpointWritten::new);
    }
    return over() ? finished() : maybeStep();
  }

  private Behavior<Command> onStepFailed(Learner.StepFailed f) {
    stepping = false;
    Throwable cause = f.cause() instanceof CompletionException c ? c.getCause() : f.cause();
    if (!(cause instanceof NonFiniteLossException)) {
      throw new IllegalStateException("learner step failed", cause);
    }
    progress.failed(f.batch().samples().size());
    parts.log().error("{} ({} trajectories dropped so far)", cause.getMessage(), progress.failed());
    settle(f.batch().groups().stream().map(Group::lease).toList(), Settlement.FAILED, null);
    return over() ? Behaviors.same() : maybeStep();
  }

  /** The step is journaled: its leases are settled and the step is reported. */
  private Behavior<Command> onRecorded(Learner.Recorded in) {
    Learner.StepFinished done = unrecorded.poll();
    PolicyVersion recorded = in.recorded().step().version();
    settle(in.recorded().step().leases(), Settlement.CONSUMED, recorded);
    parts.publish(
        (progress.stepCompleted(recorded, done.result().metrics(), in.recorded().duplicates())));
    maybeFinish();
    return Behaviors.same();
  }

  private Behavior<Command> onCheckpointWritten(Learner.CheckpointWritten w) {
    if (w.failure() != null) {
      String reason = parts.checkpointWriter().failure(version, w.failure());
      parts.log().error(reason);
      parts.publish(new TrainingEvent.TrainingFailed(reason, version));
      checkpointPending = false;
      progress.finish();
      return finished();
    }
    parts
        .ledger()
        .tell(
            new TrainingLedger.RecordCheckpoint(
                w.ref(),
                parts
                    .ctx()
                    .messageAdapter(TrainingLedger.CheckpointKept.class, Learner.Kept::new)));
    return Behaviors.same();
  }

  private Behavior<Command> onKept(Learner.Kept k) {
    var ref = k.kept().ref();
    parts.log().info("checkpoint of {} saved: {}", ref.version(), ref.path());
    parts.publish(new TrainingEvent.CheckpointSaved(ref.version(), ref.path()));
    parts.checkpointWriter().prune(k.kept().retained());
    checkpointPending = false;
    maybeFinish();
    return Behaviors.same();
  }

  private Behavior<Command> onTick() {
    String state = progress.finished() ? "finished" : stepping ? "training" : "collecting";
    parts
        .status()
        .state(state)
        .queue(assembler.buffered() + former.trajectories())
        .inFlight(stepping ? parts.settings().batchGroups() : 0)
        .processed(version.value())
        .latency(stepLatency)
        .version(version)
        .errors(progress.errors())
        .publish();
    return Behaviors.same();
  }

  private void settle(List<LeaseId> leases, Settlement how, PolicyVersion step) {
    if (!leases.isEmpty()) {
      parts.sender().tell(new SettlementSender.Settle(leases, how, step));
    }
  }

  private boolean atMaxSteps() {
    return atMaxSteps(version);
  }

  /** No more steps: the limit is reached, or the run failed. */
  private boolean over() {
    return atMaxSteps() || progress.finished();
  }

  private boolean atMaxSteps(PolicyVersion v) {
    return parts.settings().maxSteps() > 0 && v.value() >= parts.settings().maxSteps();
  }

  /** Once the last step is journaled and its checkpoint recorded, the run's training is over. */
  private void maybeFinish() {
    if (atMaxSteps() && unrecorded.isEmpty() && !checkpointPending && !progress.finished()) {
      finish();
    }
  }

  private void finish() {
    progress.finish();
    parts.log().info("reached max-steps {} at {}", parts.settings().maxSteps(), version);
    parts.publish(new TrainingEvent.TrainingFinished(version.value(), version));
  }

  private Behavior<Command> onStop() {
    parts.checkpointWriter().close();
    if (progress.repeated() > 0) {
      parts.log().info("{} repeated deliveries dropped", progress.repeated());
    }
    // Native memory must not be freed under a step that is still running.
    NativeWork.closeAfter(inFlight, policy);
    return Behaviors.same();
  }
}
