package verity.rollout;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.RecoveryFailed;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.JournalFailureLog;
import verity.actors.cluster.NodeIdentity;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.StatusReporter;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.PauseProtocol;
import verity.actors.protocol.TrainingEvent;
import verity.envs.TaskGenerator;
import verity.rollout.lease.LearnerRequests;
import verity.rollout.lease.LeaseBook;
import verity.rollout.lease.LeaseBookSnapshot;
import verity.rollout.lease.LeaseDeadlines;
import verity.rollout.lease.LeaseEvent;
import verity.rollout.lease.LeaseEvent.ExpiryCause;
import verity.rollout.lease.LeaseEvent.LeasesExpired;

/**
 * Hands out leases on tasks when a worker asks (pull, never push), and keeps the durable ledger of
 * them, a {@link LeaseBook} journaled as {@link LeaseEvent}s, so that whatever restarts no task is
 * lost and none is trained twice: lease ids never repeat, the generator continues where it stopped,
 * and every lease is open until the learner settles it, reopens it or it expires, once.
 *
 * <p>At most {@code maxOutstandingTasks} leases are open at once; a request beyond that waits
 * ({@link WaitingRequests}). An unclaimed lease expires, and its task is leased again before new
 * ones, when its lease timeout passes ({@link LeaseDeadlines}), when its worker hands it back, or
 * when the task source restarts (its worker went with the old incarnation). The learner claims a
 * lease before it trains on it, and a claimed lease expires only when the learner releases its
 * epoch's claims ({@link LeaseProtocol} states the contract). The operator pauses and resumes the
 * handing out ({@link PauseProtocol}). Once a second the task source publishes its {@link
 * TrainingEvent.ActorStatus}.
 *
 * <p>This class routes messages, journals what the lease book and the waiting requests decide (a
 * command's event and the leases it makes room for in one write), and replies once that is
 * journaled. A journal failure stops it; {@link JournalFailureLog} says why in its log.
 */
public final class TaskSource
    extends EventSourcedBehavior<TaskSource.Command, LeaseEvent, LeaseBook> {
  public static final ServiceKey<Command> SERVICE_KEY =
      ServiceKey.create(Command.class, "verity-task-source");

  /** One task source per journal: the ledger of the run's leases. */
  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("task-source");

  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);
  private static final int SNAPSHOT_EVERY = 500;

  /**
   * A message the task source accepts: a worker's ({@link TaskRequests}) or its own; the learner
   * and the operator reach it through adapters.
   */
  public sealed interface Command extends VerityMessage
      permits TaskRequests.RequestTasks,
          TaskRequests.ReturnLeases,
          FromLearner,
          FromOperator,
          Internal {}

  private record FromLearner(LeaseProtocol.Command message) implements Command, LocalOnly {}

  private record FromOperator(PauseProtocol.Command message) implements Command, LocalOnly {}

  /** What the task source tells itself. */
  private enum Internal implements Command, LocalOnly {
    /** Expire the leases whose timeout passed, and publish the status. */
    SWEEP,
    /** Sent after a resume: the requests that waited are served. */
    SERVE_WAITING,
    /**
     * Sent after a recovery that found unclaimed open leases: their workers are gone with the old
     * incarnation, so they expire before any other command is handled (those wait in the stash).
     * Claimed ones stay: the learner settles, reopens or releases them.
     */
    EXPIRE_RECOVERED
  }

  private final ActorContext<Command> ctx;
  private final JournalFailureLog failures;
  private final LeaseDeadlines deadlines;
  private final WaitingRequests waiting;
  private final StatusReporter status;
  private long expiredCount;
  private boolean recovering;

  public static Behavior<Command> create(RolloutSettings settings, TaskGenerator generator) {
    return Behaviors.setup(
        ctx -> {
          JournalFailureLog failures = new JournalFailureLog(ctx.getLog(), "task source");
          return failures.around(
              Behaviors.withTimers(
                  timers -> new TaskSource(ctx, timers, settings, generator, failures)));
        });
  }

  private TaskSource(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      RolloutSettings settings,
      TaskGenerator generator,
      JournalFailureLog failures) {
    super(PERSISTENCE_ID, JournalFailureLog.SILENT_STOP);
    this.ctx = ctx;
    this.failures = failures;
    this.deadlines = new LeaseDeadlines(settings.leaseTimeout());
    this.waiting = new WaitingRequests(settings, generator);
    this.status =
        new StatusReporter(ctx, NodeIdentity.name(ctx.getSystem()) + ":task-source", "task-source");
    timers.startTimerWithFixedDelay(Internal.SWEEP, SWEEP_INTERVAL);
    register(SERVICE_KEY, ctx.getSelf());
    register(
        ServiceKeys.LEASE_SETTLEMENT,
        ctx.messageAdapter(LeaseProtocol.Command.class, FromLearner::new));
    register(
        ServiceKeys.RUN_PAUSE, ctx.messageAdapter(PauseProtocol.Command.class, FromOperator::new));
  }

  private <T> void register(ServiceKey<T> key, ActorRef<T> ref) {
    ctx.getSystem().receptionist().tell(Receptionist.register(key, ref));
  }

  @Override
  public LeaseBook emptyState() {
    return new LeaseBook();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public SnapshotAdapter<LeaseBook> snapshotAdapter() {
    return LeaseBookSnapshot.ADAPTER;
  }

  @Override
  public SignalHandler<LeaseBook> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.class, (book, signal) -> onRecovered(book))
        .onSignal(RecoveryFailed.class, (book, signal) -> failures.recoveryFailed(signal.failure()))
        .build();
  }

  private void onRecovered(LeaseBook book) {
    waiting.skipDrawn(book.drawn());
    if (book.paused()) {
      ctx.getLog().warn("rollouts are paused (journaled): no lease is handed out until resumed");
    }
    List<LeaseId> unclaimed = book.unclaimedLeaseIds();
    if (book.drawn() > 0) {
      ctx.getLog()
          .info(
              "task ledger recovered: {} tasks drawn, next {}, {} open leases to expire, {} claimed"
                  + " ones kept, {} tasks waiting to be leased again",
              book.drawn(),
              book.nextLease(),
              unclaimed.size(),
              book.openLeases() - unclaimed.size(),
              book.reissueQueue().size());
    }
    if (!unclaimed.isEmpty()) {
      recovering = true;
      ctx.getSelf().tell(Internal.EXPIRE_RECOVERED);
    }
  }

  @Override
  public CommandHandler<Command, LeaseEvent, LeaseBook> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(c -> recovering && c != Internal.EXPIRE_RECOVERED, this::whileRecovering)
        .onCommand(TaskRequests.RequestTasks.class, this::onRequestTasks)
        .onCommand(TaskRequests.ReturnLeases.class, this::onReturnLeases)
        .onCommand(FromOperator.class, this::onOperator)
        .onCommand(FromLearner.class, this::onLearner)
        .onCommand(Internal.SWEEP::equals, (book, sweep) -> onSweep(book))
        .onCommand(
            Internal.SERVE_WAITING::equals, (book, serve) -> persistAndServe(book, List.of(), null))
        .onCommand(Internal.EXPIRE_RECOVERED::equals, (book, expire) -> onExpireRecovered(book))
        .build();
  }

  private Effect<LeaseEvent, LeaseBook> whileRecovering(LeaseBook book, Command c) {
    if (c instanceof TaskRequests.RequestTasks r && r.ahead()) {
      return onRequestTasks(book, r); // refused: it never waits
    }
    return c == Internal.SWEEP ? Effect().none() : Effect().stash();
  }

  private Effect<LeaseEvent, LeaseBook> onExpireRecovered(LeaseBook book) {
    LeasesExpired expiry =
        book.expire(book.unclaimedLeaseIds(), ExpiryCause.OPEN_AT_RECOVERY).orElseThrow();
    return Effect().persist(expiry).thenRun(after -> recovering = false).thenUnstashAll();
  }

  private Effect<LeaseEvent, LeaseBook> onRequestTasks(
      LeaseBook book, TaskRequests.RequestTasks r) {
    if (waiting.refusesAtOnce(r, book, recovering)) {
      r.replyTo().tell(new TaskRequests.Leases(List.of()));
      return Effect().none();
    }
    waiting.add(r, System.nanoTime());
    return persistAndServe(book, List.of(), null);
  }

  private Effect<LeaseEvent, LeaseBook> onReturnLeases(
      LeaseBook book, TaskRequests.ReturnLeases r) {
    List<LeaseId> held = deadlines.heldBy(r.leases(), r.worker());
    return persistAndServe(book, book.expire(held, ExpiryCause.RETURNED_BY_WORKER), null);
  }

  private Effect<LeaseEvent, LeaseBook> onOperator(LeaseBook book, FromOperator in) {
    if (in.message() instanceof PauseProtocol.GetPauseState get) {
      get.replyTo().tell(new PauseProtocol.PauseState(book.paused()));
      return Effect().none();
    }
    PauseProtocol.SetPaused p = (PauseProtocol.SetPaused) in.message();
    Runnable reply = () -> p.replyTo().tell(new PauseProtocol.PauseState(p.paused()));
    if (book.paused() == p.paused()) {
      reply.run();
      return Effect().none();
    }
    ctx.getLog().info("rollouts {} by {}", p.paused() ? "paused" : "resumed", p.by());
    return Effect()
        .persist(new LeaseEvent.PauseChanged(p.paused(), p.by()))
        .thenRun(
            after -> {
              reply.run();
              publishStatus(after);
              if (!after.paused()) {
                ctx.getSelf().tell(Internal.SERVE_WAITING);
              }
            });
  }

  private Effect<LeaseEvent, LeaseBook> onLearner(LeaseBook book, FromLearner in) {
    LearnerRequests.Answer<?> answer = LearnerRequests.answer(book, in.message());
    if (in.message() instanceof LeaseProtocol.ReleaseClaims r) {
      answer.events().stream()
          .filter(e -> e instanceof LeasesExpired)
          .forEach(
              e ->
                  ctx.getLog()
                      .info("claims of learner epochs before {} released: {}", r.epoch(), e));
    }
    return persistAndServe(book, answer.events(), answer::send);
  }

  private Effect<LeaseEvent, LeaseBook> onSweep(LeaseBook book) {
    publishStatus(book);
    List<LeaseId> due = deadlines.due(System.nanoTime());
    for (LeaseId id : due) {
      ctx.getLog()
          .warn(
              "{} of {} to {} expired; leasing it again",
              id,
              book.taskOf(id).map(TaskId::value).orElse("?"),
              deadlines.workerOf(id).orElse("?"));
    }
    deadlines.drop(due);
    Optional<LeasesExpired> expiry = book.expire(due, ExpiryCause.TIMEOUT);
    expiredCount += expiry.map(e -> e.leases().size()).orElse(0);
    return persistAndServe(book, expiry, null);
  }

  private Effect<LeaseEvent, LeaseBook> persistAndServe(
      LeaseBook book, Optional<? extends LeaseEvent> first, Runnable reply) {
    return persistAndServe(book, first.<List<LeaseEvent>>map(List::of).orElse(List.of()), reply);
  }

  /**
   * Journals {@code first} and leases tasks to as many waiting requests as the window then allows,
   * in one journal write; {@code reply} (if any) and the answers to the requests served go out once
   * the write is done.
   */
  private Effect<LeaseEvent, LeaseBook> persistAndServe(
      LeaseBook book, List<LeaseEvent> first, Runnable reply) {
    WaitingRequests.Write write = waiting.serve(book, first, reply, System.nanoTime());
    if (write.events().isEmpty()) {
      write.replies().forEach(Runnable::run);
      return Effect().none();
    }
    return Effect()
        .persist(write.events())
        .thenRun(
            after -> {
              long now = System.nanoTime();
              write.events().forEach(e -> deadlines.track(e, now));
              write.replies().forEach(Runnable::run);
            });
  }

  @Override
  public EventHandler<LeaseBook, LeaseEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(LeaseBook::apply);
  }

  private void publishStatus(LeaseBook book) {
    status
        .state(waiting.state(book))
        .queue(waiting.size())
        .inFlight(book.openLeases())
        .processed(book.nextLease().value() - 1)
        .latency(waiting.waited())
        .errors(expiredCount)
        .publish();
  }
}
