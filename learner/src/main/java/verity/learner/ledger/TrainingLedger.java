package verity.learner.ledger;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.ids.PolicyVersion;
import verity.learner.checkpoint.CheckpointRef;

/**
 * The learner's journal: which steps were applied (their version and the leases they consumed),
 * which checkpoints were saved, and where a run resumed. On a restart it tells the learner which
 * checkpoints exist, and, once the learner has picked the newest good one, which applied steps came
 * after it: their training is lost with the crash, so their tasks are leased again, and their
 * leases no longer count as consumed. A lease consumed by two surviving steps is counted as a
 * duplicate; the learner drops repeated deliveries before they reach a step, so that count stays 0.
 *
 * <p>The reopen of a discarded step's leases stays owed until the task source confirms it, across
 * any number of restarts: a learner killed before the confirmation came sends it again when it
 * resumes.
 *
 * <p>A child of the learner, which is the only writer of this persistence id.
 */
public final class TrainingLedger
    extends EventSourcedBehavior<
        TrainingLedger.Command, TrainingLedger.Event, TrainingLedger.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("learner");

  /** What the learner asks of its ledger. */
  public sealed interface Command extends LocalOnly {}

  /** What the journal says, for the learner to resume from. */
  public record GetRecovered(ActorRef<Recovered> replyTo) implements Command {}

  /** The journal's view of the run. */
  public record Recovered(
      String suite, List<CheckpointRef> checkpoints, BitSet consumed, long duplicates)
      implements LocalOnly {}

  /** A fresh run on {@code suite} with its first checkpoint (the initial weights). */
  public record Begin(String suite, CheckpointRef initial, ActorRef<Done> replyTo)
      implements Command {}

  /** Resume from this checkpoint; the reply names the steps whose training was lost. */
  public record Resume(CheckpointRef from, ActorRef<Resumed> replyTo) implements Command {}

  /**
   * The steps applied after the checkpoint a run resumed from, now discarded; the steps that
   * survive, as far back as the oldest checkpoint kept (their leases may have been settled with a
   * message lost in the crash); and the leases whose reopen the task source has not confirmed yet
   * (lease → task, in the order they were discarded), those of {@code discarded} among them.
   */
  public record Resumed(
      List<StepApplied> discarded,
      List<StepApplied> surviving,
      Map<Long, String> unconfirmedReopens,
      long duplicates)
      implements LocalOnly {}

  /** Record a step; the reply is sent once it is in the journal. */
  public record RecordStep(StepApplied step, ActorRef<StepRecorded> replyTo) implements Command {}

  /** A step is in the journal; {@code duplicates} counts leases consumed twice in the run. */
  public record StepRecorded(StepApplied step, long duplicates) implements LocalOnly {}

  /**
   * The task source has journaled the reopen of these leases; none is sent again. Not answered: if
   * it is lost in a crash, the reopen is sent again and the task source confirms it again.
   */
  public record ConfirmReopen(long[] leases) implements Command {}

  /** Record a saved checkpoint; the reply is sent once it is in the journal. */
  public record RecordCheckpoint(CheckpointRef ref, ActorRef<CheckpointRef> replyTo)
      implements Command {}

  /** What the journal holds. */
  public sealed interface Event extends VerityMessage {}

  /** A run started on {@code suite}. */
  public record Started(String suite) implements Event {}

  /** The step that produced {@code version} consumed these leases (of these tasks). */
  public record StepApplied(long version, long[] leases, String[] tasks) implements Event {}

  /** A checkpoint of {@code version} was written to {@code path}, hashing to {@code checksum}. */
  public record CheckpointSaved(long version, String path, long checksum) implements Event {
    CheckpointRef ref() {
      return new CheckpointRef(PolicyVersion.of(version), path, checksum);
    }
  }

  /**
   * The run resumed from the checkpoint of {@code version}; later steps were discarded and their
   * leases are to be reopened.
   */
  public record ResumedFrom(long version) implements Event {}

  /** The task source confirmed that it journaled the reopen of these leases. */
  public record ReopenConfirmed(long[] leases) implements Event {}

  /** The ledger's state, rebuilt from the journal. */
  public static final class State {
    private String suite;
    private final List<CheckpointSaved> checkpoints = new ArrayList<>();
    private final List<StepApplied> steps = new ArrayList<>();
    private final BitSet consumed = new BitSet();
    private long duplicates;
    private final LinkedHashMap<Long, String> unconfirmedReopens = new LinkedHashMap<>();
  }

  private final int retention;

  /**
   * @param retention checkpoints kept on disk; steps older than the oldest are forgotten
   */
  public static Behavior<Command> create(int retention) {
    return new TrainingLedger(retention);
  }

  private TrainingLedger(int retention) {
    super(PERSISTENCE_ID);
    this.retention = retention;
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(GetRecovered.class, this::onGetRecovered)
        .onCommand(Begin.class, this::onBegin)
        .onCommand(Resume.class, this::onResume)
        .onCommand(RecordStep.class, this::onRecordStep)
        .onCommand(RecordCheckpoint.class, this::onRecordCheckpoint)
        .onCommand(ConfirmReopen.class, this::onConfirmReopen)
        .build();
  }

  private Effect<Event, State> onGetRecovered(State s, GetRecovered g) {
    g.replyTo()
        .tell(
            new Recovered(
                s.suite,
                s.checkpoints.stream().map(CheckpointSaved::ref).toList(),
                (BitSet) s.consumed.clone(),
                s.duplicates));
    return Effect().none();
  }

  private Effect<Event, State> onBegin(State s, Begin b) {
    CheckpointRef r = b.initial();
    return Effect()
        .persist(
            List.of(
                new Started(b.suite()),
                new CheckpointSaved(r.version().value(), r.path(), r.checksum())))
        .thenRun(after -> b.replyTo().tell(Done.getInstance()));
  }

  private Effect<Event, State> onResume(State s, Resume r) {
    long from = r.from().version().value();
    List<StepApplied> discarded = s.steps.stream().filter(x -> x.version() > from).toList();
    return Effect()
        .persist(new ResumedFrom(from))
        .thenRun(
            after ->
                r.replyTo()
                    .tell(
                        new Resumed(
                            discarded,
                            List.copyOf(after.steps),
                            Collections.unmodifiableMap(
                                new LinkedHashMap<>(after.unconfirmedReopens)),
                            after.duplicates)));
  }

  private Effect<Event, State> onConfirmReopen(State s, ConfirmReopen c) {
    long[] owed =
        Arrays.stream(c.leases())
            .filter(lease -> s.unconfirmedReopens.containsKey(lease))
            .toArray();
    return owed.length == 0 ? Effect().none() : Effect().persist(new ReopenConfirmed(owed));
  }

  private Effect<Event, State> onRecordStep(State s, RecordStep r) {
    return Effect()
        .persist(r.step())
        .thenRun(after -> r.replyTo().tell(new StepRecorded(r.step(), after.duplicates)));
  }

  private Effect<Event, State> onRecordCheckpoint(State s, RecordCheckpoint r) {
    CheckpointRef c = r.ref();
    return Effect()
        .persist(new CheckpointSaved(c.version().value(), c.path(), c.checksum()))
        .thenRun(after -> r.replyTo().tell(c));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            Started.class,
            (s, e) -> {
              s.suite = e.suite();
              return s;
            })
        .onEvent(StepApplied.class, TrainingLedger::applyStep)
        .onEvent(CheckpointSaved.class, this::applyCheckpoint)
        .onEvent(ResumedFrom.class, TrainingLedger::applyResumed)
        .onEvent(
            ReopenConfirmed.class,
            (s, e) -> {
              for (long lease : e.leases()) {
                s.unconfirmedReopens.remove(lease);
              }
              return s;
            })
        .build();
  }

  private static State applyStep(State s, StepApplied e) {
    for (long lease : e.leases()) {
      int bit = Math.toIntExact(lease);
      if (s.consumed.get(bit)) {
        s.duplicates++;
      }
      s.consumed.set(bit);
    }
    s.steps.add(e);
    return s;
  }

  private State applyCheckpoint(State s, CheckpointSaved e) {
    s.checkpoints.add(e);
    while (s.checkpoints.size() > retention) {
      s.checkpoints.remove(0);
    }
    long oldest = s.checkpoints.get(0).version();
    s.steps.removeIf(x -> x.version() <= oldest); // no resume can discard these any more
    return s;
  }

  private static State applyResumed(State s, ResumedFrom e) {
    for (StepApplied x : s.steps) {
      if (x.version() > e.version()) {
        for (int i = 0; i < x.leases().length; i++) {
          s.consumed.clear(Math.toIntExact(x.leases()[i]));
          s.unconfirmedReopens.put(x.leases()[i], x.tasks()[i]);
        }
      }
    }
    s.steps.removeIf(x -> x.version() > e.version());
    s.checkpoints.removeIf(c -> c.version() > e.version());
    return s;
  }
}
