package verity.learner.ledger;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryFailed;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.SignalHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.JournalFailureLog;
import verity.actors.ids.LeaseId;
import verity.actors.ids.LeaseSet;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.learner.checkpoint.CheckpointRef;

/**
 * The learner's journal: which steps were applied (their version and the leases they consumed),
 * whether the task source confirmed their settlement, which checkpoints were saved, and where the
 * run resumed (each resume starts a new epoch of versions). On a restart it tells the learner which
 * checkpoints exist; once the learner has picked the newest good one, it says which applied steps
 * came after it (their training is lost: their leases are reopened and no longer count as
 * consumed), which surviving steps' settlements were never confirmed (they are sent again: a lost
 * settlement would otherwise leave a trained lease open), and which reopens are still owed.
 *
 * <p>A step stays in the state until it is both settled and at or below the oldest checkpoint kept,
 * so a settlement is owed across any number of restarts; so is a reopen, until the task source
 * confirms it. A child of the learner, which is the only writer of this persistence id.
 */
public final class TrainingLedger
    extends EventSourcedBehavior<
        TrainingLedger.Command, TrainingLedger.Event, TrainingLedger.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("learner");

  /** What the learner asks of its ledger. */
  public sealed interface Command extends LocalOnly {}

  /** What the journal says, for the learner to start from. */
  public record GetRecovered(ActorRef<LedgerRecovery> replyTo) implements Command {}

  /**
   * The journal's view of the run: its suite (null for a new run), the checkpoints kept (newest
   * last), the leases consumed by surviving steps, and the lineage of versions so far.
   */
  public record LedgerRecovery(
      String suite,
      List<CheckpointRef> checkpoints,
      LeaseSet consumed,
      long duplicates,
      VersionLineage lineage)
      implements LocalOnly {}

  /** A fresh run on {@code suite} with its first checkpoint (the initial weights). */
  public record Begin(String suite, CheckpointRef initial, ActorRef<Done> replyTo)
      implements Command {}

  /** Resume from this checkpoint in a new epoch; the reply is the plan of what is owed. */
  public record Resume(CheckpointRef from, ActorRef<ResumePlan> replyTo) implements Command {}

  /**
   * What a resume leaves to do: the new lineage (its epoch); the steps after the checkpoint, now
   * discarded; the surviving steps whose settlement was never confirmed; the leases whose reopen is
   * owed (lease → task, in the order they were discarded), those of {@code discarded} among them.
   */
  public record ResumePlan(
      VersionLineage lineage,
      List<StepApplied> discarded,
      List<StepApplied> unsettled,
      Map<LeaseId, TaskId> unconfirmedReopens,
      long duplicates)
      implements LocalOnly {}

  /** Record a step; the reply is sent once it is in the journal. */
  public record RecordStep(StepApplied step, ActorRef<StepRecorded> replyTo) implements Command {}

  /** A step is in the journal; {@code duplicates} counts leases consumed twice in the run. */
  public record StepRecorded(StepApplied step, long duplicates) implements LocalOnly {}

  /**
   * The task source confirmed the settlement of these steps' leases; recorded without a reply (if
   * it is lost in a crash, the settlement is sent again and confirmed again). Confirmations are
   * batched (about one record a second), not one write per step.
   */
  public record ConfirmSettlements(List<PolicyVersion> steps) implements Command {
    public ConfirmSettlements {
      steps = List.copyOf(steps);
    }
  }

  /** The task source journaled the reopen of these leases; none is sent again. Not answered. */
  public record ConfirmReopens(List<LeaseId> leases) implements Command {
    public ConfirmReopens {
      leases = List.copyOf(leases);
    }
  }

  /** Record a saved checkpoint; the reply is sent once it is in the journal. */
  public record RecordCheckpoint(CheckpointRef ref, ActorRef<CheckpointKept> replyTo)
      implements Command {}

  /**
   * A checkpoint is in the journal; {@code retained} are the checkpoints the journal still refers
   * to (newest last): any other checkpoint file may be deleted.
   */
  public record CheckpointKept(CheckpointRef ref, List<CheckpointRef> retained)
      implements LocalOnly {}

  /** What the journal holds. */
  public sealed interface Event extends VerityMessage {}

  /** A run started on {@code suite}. */
  public record RunStarted(String suite) implements Event {}

  /**
   * The step that produced {@code version} consumed these leases ({@code tasks.get(i)} of each).
   */
  public record StepApplied(PolicyVersion version, List<LeaseId> leases, List<TaskId> tasks)
      implements Event {
    public StepApplied {
      leases = List.copyOf(leases);
      tasks = List.copyOf(tasks);
      if (leases.size() != tasks.size()) {
        throw new IllegalArgumentException(
            leases.size() + " leases but " + tasks.size() + " tasks");
      }
    }
  }

  /** The task source confirmed the settlement of these steps' leases. */
  public record StepsSettled(List<PolicyVersion> versions) implements Event {
    public StepsSettled {
      versions = List.copyOf(versions);
    }
  }

  /** A checkpoint was written and is intact as {@code ref} says. */
  public record CheckpointRecorded(CheckpointRef ref) implements Event {}

  /**
   * The run resumed from the checkpoint of {@code checkpoint}, starting epoch {@code epoch}: later
   * steps were discarded and their leases are to be reopened.
   */
  public record ResumedFromCheckpoint(PolicyVersion checkpoint, long epoch) implements Event {}

  /** The task source confirmed that it journaled the reopen of these leases. */
  public record ReopensAcknowledged(List<LeaseId> leases) implements Event {
    public ReopensAcknowledged {
      leases = List.copyOf(leases);
    }
  }

  /** A step in the state, and whether its settlement is confirmed. */
  private static final class Step {
    final StepApplied applied;
    boolean settled;

    Step(StepApplied applied) {
      this.applied = applied;
    }
  }

  /** The ledger's state, rebuilt from the journal. */
  public static final class State {
    private String suite;
    private final List<CheckpointRef> checkpoints = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final ConsumedLeases consumed = new ConsumedLeases();
    private VersionLineage lineage = VersionLineage.first();
    private final LinkedHashMap<LeaseId, TaskId> unconfirmedReopens = new LinkedHashMap<>();
  }

  private final int retention;

  /**
   * @param retention checkpoints the journal keeps (at least 2); steps below the oldest, once
   *     settled, are forgotten
   */
  public static Behavior<Command> create(int retention) {
    return Behaviors.setup(
        ctx -> {
          JournalFailureLog failures = new JournalFailureLog(ctx.getLog(), "learner");
          return failures.around(new TrainingLedger(retention, failures));
        });
  }

  private final JournalFailureLog failures;

  private TrainingLedger(int retention, JournalFailureLog failures) {
    super(PERSISTENCE_ID, JournalFailureLog.SILENT_STOP);
    this.failures = failures;
    if (retention < 2) {
      throw new IllegalArgumentException("checkpoint retention must be >= 2, got " + retention);
    }
    this.retention = retention;
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryFailed.class, (state, signal) -> failures.recoveryFailed(signal.failure()))
        .build();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(GetRecovered.class, this::onGetRecovered)
        .onCommand(Begin.class, this::onBegin)
        .onCommand(Resume.class, this::onResume)
        .onCommand(RecordStep.class, this::onRecordStep)
        .onCommand(ConfirmSettlements.class, this::onConfirmSettlements)
        .onCommand(RecordCheckpoint.class, this::onRecordCheckpoint)
        .onCommand(ConfirmReopens.class, this::onConfirmReopens)
        .build();
  }

  private Effect<Event, State> onGetRecovered(State s, GetRecovered g) {
    g.replyTo()
        .tell(
            new LedgerRecovery(
                s.suite,
                List.copyOf(s.checkpoints),
                s.consumed.leases(),
                s.consumed.duplicates(),
                s.lineage));
    return Effect().none();
  }

  private Effect<Event, State> onBegin(State s, Begin b) {
    return Effect()
        .persist(List.of(new RunStarted(b.suite()), new CheckpointRecorded(b.initial())))
        .thenRun(after -> b.replyTo().tell(Done.getInstance()));
  }

  private Effect<Event, State> onResume(State s, Resume r) {
    PolicyVersion from = r.from().version();
    List<StepApplied> discarded = new ArrayList<>();
    for (Step step : s.steps) {
      if (step.applied.version().value() > from.value()) {
        discarded.add(step.applied);
      }
    }
    return Effect()
        .persist(new ResumedFromCheckpoint(from, s.lineage.epoch() + 1))
        .thenRun(
            after ->
                r.replyTo()
                    .tell(
                        new ResumePlan(
                            after.lineage,
                            discarded,
                            after.steps.stream()
                                .filter(x -> !x.settled)
                                .map(x -> x.applied)
                                .toList(),
                            Collections.unmodifiableMap(
                                new LinkedHashMap<>(after.unconfirmedReopens)),
                            after.consumed.duplicates())));
  }

  private Effect<Event, State> onRecordStep(State s, RecordStep r) {
    return Effect()
        .persist(r.step())
        .thenRun(
            after -> r.replyTo().tell(new StepRecorded(r.step(), after.consumed.duplicates())));
  }

  private Effect<Event, State> onConfirmSettlements(State s, ConfirmSettlements c) {
    List<PolicyVersion> settled = owed(s, c.steps());
    return settled.isEmpty() ? Effect().none() : Effect().persist(new StepsSettled(settled));
  }

  /** The steps among {@code versions} whose settlement is not recorded yet. */
  private static List<PolicyVersion> owed(State s, List<PolicyVersion> versions) {
    List<PolicyVersion> out = new ArrayList<>();
    for (Step step : s.steps) {
      if (!step.settled && versions.contains(step.applied.version())) {
        out.add(step.applied.version());
      }
    }
    return out;
  }

  private Effect<Event, State> onConfirmReopens(State s, ConfirmReopens c) {
    List<LeaseId> owed = c.leases().stream().filter(s.unconfirmedReopens::containsKey).toList();
    return owed.isEmpty() ? Effect().none() : Effect().persist(new ReopensAcknowledged(owed));
  }

  private Effect<Event, State> onRecordCheckpoint(State s, RecordCheckpoint r) {
    return Effect()
        .persist(new CheckpointRecorded(r.ref()))
        .thenRun(
            after -> r.replyTo().tell(new CheckpointKept(r.ref(), List.copyOf(after.checkpoints))));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            RunStarted.class,
            (s, e) -> {
              s.suite = e.suite();
              return s;
            })
        .onEvent(StepApplied.class, TrainingLedger::applyStep)
        .onEvent(StepsSettled.class, this::applySettled)
        .onEvent(CheckpointRecorded.class, this::applyCheckpoint)
        .onEvent(ResumedFromCheckpoint.class, TrainingLedger::applyResumed)
        .onEvent(
            ReopensAcknowledged.class,
            (s, e) -> {
              e.leases().forEach(s.unconfirmedReopens::remove);
              return s;
            })
        .build();
  }

  private static State applyStep(State s, StepApplied e) {
    e.leases().forEach(s.consumed::consume);
    s.steps.add(new Step(e));
    return s;
  }

  private State applySettled(State s, StepsSettled e) {
    for (Step step : s.steps) {
      if (e.versions().contains(step.applied.version())) {
        step.settled = true;
      }
    }
    forgetSettledBelowOldestCheckpoint(s);
    return s;
  }

  private State applyCheckpoint(State s, CheckpointRecorded e) {
    s.checkpoints.add(e.ref());
    while (s.checkpoints.size() > retention) {
      s.checkpoints.remove(0);
    }
    forgetSettledBelowOldestCheckpoint(s);
    return s;
  }

  /** No resume can discard a step at or below the oldest checkpoint kept; once settled, it goes. */
  private static void forgetSettledBelowOldestCheckpoint(State s) {
    if (s.checkpoints.isEmpty()) {
      return;
    }
    long oldest = s.checkpoints.get(0).version().value();
    s.steps.removeIf(x -> x.settled && x.applied.version().value() <= oldest);
  }

  private static State applyResumed(State s, ResumedFromCheckpoint e) {
    long from = e.checkpoint().value();
    for (Step x : s.steps) {
      if (x.applied.version().value() > from) {
        for (int i = 0; i < x.applied.leases().size(); i++) {
          s.consumed.discard(x.applied.leases().get(i));
          s.unconfirmedReopens.put(x.applied.leases().get(i), x.applied.tasks().get(i));
        }
      }
    }
    s.steps.removeIf(x -> x.applied.version().value() > from);
    s.checkpoints.removeIf(c -> c.version().value() > from);
    s.lineage = s.lineage.resumedFrom(from);
    return s;
  }
}
