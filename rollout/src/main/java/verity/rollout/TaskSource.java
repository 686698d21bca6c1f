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
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.NodeIdentity;
import verity.actors.cluster.ServiceKeys;
import verity.actors.cluster.StatusReporter;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.actors.metrics.LatencyWindow;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.ReopenConfirmed;
import verity.actors.protocol.LeaseProtocol.ReopenLeases;
import verity.actors.protocol.LeaseProtocol.SettleLeases;
import verity.actors.protocol.PauseProtocol;
import verity.actors.protocol.TrainingEvent;
import verity.envs.TaskGenerator;

/**
 * Hands out leases on tasks when a worker asks (pull, never push), and keeps the durable ledger of
 * them: every lease is journaled when it is handed out and when the learner settles it, so that
 * after a crash the leases that were open are handed out again (as new leases on the same tasks),
 * settled ones never are, the generator continues where it stopped, and lease ids never repeat.
 *
 * <p>At most {@code maxOutstandingTasks} leases are open at once; a request beyond that waits until
 * the learner settles leases, so generation never runs ahead of training. A lease not settled
 * within the lease timeout (its worker died or its trajectories were lost) expires and its task is
 * leased again. Tasks the learner reopens (their training was rolled back with a checkpoint) are
 * leased again first. A lease is reopened at most once: the learner sends a reopen until it is
 * confirmed, so the same reopen may arrive several times, also across restarts of either side.
 *
 * <p>An operator can pause the run's rollouts ({@link SetPaused}): requests then wait and no lease
 * is handed out until it is resumed; leases already out are settled or expire as usual. The pause
 * is journaled, so it holds across a restart or a move of the task source. Once a second the task
 * source publishes its {@link TrainingEvent.ActorStatus}: requests waiting, leases open, leases
 * handed out, how long requests waited for their leases (p50, p99) and leases expired.
 */
public final class TaskSource
    extends EventSourcedBehavior<TaskSource.Command, TaskSource.Event, TaskSource.Ledger> {
  public static final ServiceKey<Command> SERVICE_KEY =
      ServiceKey.create(Command.class, "verity-task-source");

  /** One task source per journal: the ledger of the run's leases. */
  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("task-source");

  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);
  private static final int SNAPSHOT_EVERY = 500;

  /** A message the task source accepts. */
  public sealed interface Command extends VerityMessage {}

  /**
   * Lease me up to {@code max} tasks; the reply may wait until there is capacity. A request {@code
   * ahead} (a worker leasing its next batch while it still generates one) never waits: it is
   * answered with no leases unless the window has room for all {@code max} and no other request
   * waits.
   */
  public record RequestTasks(int max, String worker, ActorRef<Leases> replyTo, boolean ahead)
      implements Command {

    /** A request for work now: it waits until the window has room. */
    public RequestTasks(int max, String worker, ActorRef<Leases> replyTo) {
      this(max, worker, replyTo, false);
    }
  }

  /** Leased tasks: generate {@code groupSize} samples of each. */
  public record Leases(List<Lease> leases) implements VerityMessage {
    public Leases {
      leases = List.copyOf(leases);
    }
  }

  /** One leased task; the worker looks the task up in its own copy of the suite. */
  public record Lease(LeaseId id, TaskId task, int groupSize) {}

  /**
   * A worker hands back leases it will not generate (it is draining: its node leaves the cluster):
   * their tasks are leased again at once, without waiting for the lease timeout.
   */
  public record ReturnLeases(List<LeaseId> leases, String worker) implements Command {
    public ReturnLeases {
      leases = List.copyOf(leases);
    }
  }

  private record FromLearner(LeaseProtocol.Command message) implements Command, LocalOnly {}

  private record FromOperator(PauseProtocol.Command message) implements Command, LocalOnly {}

  private enum Sweep implements Command, LocalOnly {
    INSTANCE
  }

  /**
   * Sent to itself after recovery (the leases open at the crash are handed out again) and after a
   * resume (the requests that waited are served).
   */
  private enum ServeWaiting implements Command, LocalOnly {
    INSTANCE
  }

  /** What the journal holds. */
  public sealed interface Event extends VerityMessage {}

  /**
   * Leases {@code first}, {@code first + 1}, ... on {@code tasks}: the first {@code reissued} came
   * from the reissue queue, the remaining {@code fresh} were drawn from the generator.
   */
  public record Leased(long first, String[] tasks, int reissued, int fresh) implements Event {}

  /** The learner is finished with these leases, all in the same way. */
  public record Settled(long[] leases, LeaseProtocol.Settlement settlement) implements Event {}

  /** These leases expired (or were open at a crash); their tasks go to the reissue queue. */
  public record Expired(long[] leases) implements Event {}

  /**
   * The training on these leases was lost ({@code tasks[i]} is the task of {@code leases[i]}):
   * those still open are closed, and the tasks go to the reissue queue. No lease is reopened twice.
   */
  public record Reopened(long[] leases, String[] tasks) implements Event {}

  /** An operator paused ({@code paused}) or resumed the run's rollouts. */
  public record PauseChanged(boolean paused, String by) implements Event {}

  /** The ledger as a snapshot, as written before rollouts could be paused; read, never written. */
  public record LedgerSnapshot(
      long nextLease,
      long drawn,
      long[] openLeases,
      String[] openTasks,
      String[] reissue,
      long[] reopened)
      implements VerityMessage {}

  /** The ledger as a snapshot: an immutable copy taken on the actor's thread. */
  public record LedgerSnapshotV2(
      long nextLease,
      long drawn,
      long[] openLeases,
      String[] openTasks,
      String[] reissue,
      long[] reopened,
      boolean paused)
      implements VerityMessage {}

  /**
   * The ledger's state: the next lease id, how many tasks the generator has produced, the open
   * leases (id → task) in lease order, the tasks waiting to be leased again, and the leases whose
   * reopen is journaled (so that a reopen sent again is confirmed without being journaled twice).
   */
  public static final class Ledger {
    long nextLease = 1;
    long drawn;
    final LinkedHashMap<Long, String> open = new LinkedHashMap<>();
    final ArrayDeque<String> reissue = new ArrayDeque<>();
    final Set<Long> reopened = new HashSet<>();
    boolean paused;

    public long nextLease() {
      return nextLease;
    }

    public long drawn() {
      return drawn;
    }

    public int openLeases() {
      return open.size();
    }

    public boolean paused() {
      return paused;
    }
  }

  private record Deadline(long nanos, String worker) {}

  /** A request and when it arrived. */
  private record Waiting(RequestTasks request, long sinceNanos) {}

  private final ActorContext<Command> ctx;
  private final RolloutSettings settings;
  private final TaskGenerator generator;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private final Map<Long, Deadline> deadlines = new HashMap<>();
  private final StatusReporter status;
  private final LatencyWindow leaseWait = new LatencyWindow(1024);
  private long expiredCount;
  private boolean recoveredOpen;

  public static Behavior<Command> create(RolloutSettings settings, TaskGenerator generator) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new TaskSource(ctx, timers, settings, generator)));
  }

  private TaskSource(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      RolloutSettings settings,
      TaskGenerator generator) {
    super(PERSISTENCE_ID);
    this.ctx = ctx;
    this.settings = settings;
    this.generator = generator;
    this.status =
        new StatusReporter(ctx, NodeIdentity.name(ctx.getSystem()) + ":task-source", "task-source");
    timers.startTimerWithFixedDelay(Sweep.INSTANCE, SWEEP_INTERVAL);
    ctx.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, ctx.getSelf()));
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.register(
                ServiceKeys.LEASE_SETTLEMENT,
                ctx.messageAdapter(LeaseProtocol.Command.class, FromLearner::new)));
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.register(
                ServiceKeys.RUN_PAUSE,
                ctx.messageAdapter(PauseProtocol.Command.class, FromOperator::new)));
  }

  @Override
  public Ledger emptyState() {
    return new Ledger();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public SnapshotAdapter<Ledger> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(Ledger l) {
        return new LedgerSnapshotV2(
            l.nextLease,
            l.drawn,
            l.open.keySet().stream().mapToLong(Long::longValue).toArray(),
            l.open.values().toArray(String[]::new),
            l.reissue.toArray(String[]::new),
            l.reopened.stream().mapToLong(Long::longValue).toArray(),
            l.paused);
      }

      @Override
      public Ledger fromJournal(Object from) {
        LedgerSnapshotV2 s =
            from instanceof LedgerSnapshot old
                ? new LedgerSnapshotV2(
                    old.nextLease(),
                    old.drawn(),
                    old.openLeases(),
                    old.openTasks(),
                    old.reissue(),
                    old.reopened(),
                    false)
                : (LedgerSnapshotV2) from;
        Ledger l = new Ledger();
        l.nextLease = s.nextLease();
        l.drawn = s.drawn();
        for (int i = 0; i < s.openLeases().length; i++) {
          l.open.put(s.openLeases()[i], s.openTasks()[i]);
        }
        l.reissue.addAll(List.of(s.reissue()));
        for (long id : s.reopened()) {
          l.reopened.add(id);
        }
        l.paused = s.paused();
        return l;
      }
    };
  }

  @Override
  public SignalHandler<Ledger> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.class, (ledger, signal) -> onRecovered(ledger))
        .build();
  }

  private void onRecovered(Ledger ledger) {
    for (long i = 0; i < ledger.drawn; i++) {
      generator.next(); // the generator continues where the journal says it stopped
    }
    if (ledger.paused) {
      ctx.getLog().warn("rollouts are paused (journaled): no lease is handed out until resumed");
    }
    if (ledger.drawn > 0 || !ledger.open.isEmpty()) {
      ctx.getLog()
          .info(
              "task ledger recovered: {} tasks drawn, next lease {}, {} open leases to hand out"
                  + " again, {} tasks waiting to be leased again",
              ledger.drawn,
              ledger.nextLease,
              ledger.open.size(),
              ledger.reissue.size());
    }
    if (!ledger.open.isEmpty()) {
      recoveredOpen = true;
      ctx.getSelf().tell(ServeWaiting.INSTANCE);
    }
  }

  @Override
  public CommandHandler<Command, Event, Ledger> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(RequestTasks.class, this::onRequestTasks)
        .onCommand(ReturnLeases.class, this::onReturnLeases)
        .onCommand(FromOperator.class, this::onOperator)
        .onCommand(FromLearner.class, this::onSettlement)
        .onCommand(Sweep.class, (ledger, sweep) -> onSweep(ledger))
        .onCommand(ServeWaiting.class, (ledger, serve) -> serveWaiting(ledger))
        .build();
  }

  private Effect<Event, Ledger> onRequestTasks(Ledger ledger, RequestTasks r) {
    if (r.ahead()
        && (!waiting.isEmpty()
            || ledger.paused
            || recoveredOpen
            || settings.maxOutstandingTasks() - ledger.open.size() < r.max())) {
      // Work leased ahead must never take the window from a worker that has none: refused.
      r.replyTo().tell(new Leases(List.of()));
      return Effect().none();
    }
    waiting.add(new Waiting(r, System.nanoTime()));
    return serveWaiting(ledger);
  }

  private Effect<Event, Ledger> onOperator(Ledger ledger, FromOperator in) {
    if (in.message() instanceof PauseProtocol.SetPaused p) {
      return onSetPaused(ledger, p);
    }
    if (in.message() instanceof PauseProtocol.GetPauseState get) {
      get.replyTo().tell(new PauseProtocol.PauseState(ledger.paused));
      return Effect().none();
    }
    throw new IllegalArgumentException("unknown pause command " + in.message());
  }

  private Effect<Event, Ledger> onSetPaused(Ledger ledger, PauseProtocol.SetPaused p) {
    Runnable reply = () -> p.replyTo().tell(new PauseProtocol.PauseState(p.paused()));
    if (ledger.paused == p.paused()) {
      reply.run();
      return Effect().none();
    }
    ctx.getLog().info("rollouts {} by {}", p.paused() ? "paused" : "resumed", p.by());
    return Effect()
        .persist(new PauseChanged(p.paused(), p.by()))
        .thenRun(
            after -> {
              reply.run();
              publishStatus(after);
              if (!after.paused) {
                ctx.getSelf().tell(ServeWaiting.INSTANCE);
              }
            });
  }

  private void publishStatus(Ledger ledger) {
    int free = settings.maxOutstandingTasks() - ledger.open.size();
    String state =
        ledger.paused
            ? "paused"
            : !waiting.isEmpty() && free <= 0
                ? "window-full"
                : ledger.open.isEmpty() ? "idle" : "leasing";
    status
        .state(state)
        .queue(waiting.size())
        .inFlight(ledger.open.size())
        .processed(ledger.nextLease - 1)
        .latency(leaseWait)
        .errors(expiredCount)
        .publish();
  }

  private Effect<Event, Ledger> onSettlement(Ledger ledger, FromLearner s) {
    if (s.message() instanceof ReopenLeases reopened) {
      return onReopen(ledger, reopened);
    }
    if (s.message() instanceof LeaseProtocol.ClaimLeases claim) {
      return onClaim(ledger, claim);
    }
    if (s.message() instanceof LeaseProtocol.ReleaseClaims release) {
      release.replyTo().tell(new LeaseProtocol.ClaimsReleased(release.epoch()));
      return Effect().none();
    }
    SettleLeases settled = (SettleLeases) s.message();
    Runnable confirm =
        () -> settled.replyTo().tell(new LeaseProtocol.SettlementConfirmed(settled.leases()));
    long[] known =
        settled.leases().stream()
            .mapToLong(LeaseId::value)
            .filter(id -> ledger.open.containsKey(id))
            .toArray();
    for (LeaseId id : settled.leases()) {
      deadlines.remove(id.value());
    }
    if (known.length == 0) {
      // already settled (a resend after a restart) or expired
      return serve(ledger, null, 0, List.of(), confirm);
    }
    return serve(
        ledger, new Settled(known, settled.settlement()), known.length, List.of(), confirm);
  }

  /**
   * Interim: grants the claim of every lease still open and refuses the others, without journaling
   * the claim; the lease book journals claims and keeps claimed leases from expiring.
   */
  private Effect<Event, Ledger> onClaim(Ledger ledger, LeaseProtocol.ClaimLeases claim) {
    List<LeaseId> granted = new ArrayList<>();
    List<LeaseId> refused = new ArrayList<>();
    for (LeaseId id : claim.leases()) {
      (ledger.open.containsKey(id.value()) ? granted : refused).add(id);
    }
    claim.replyTo().tell(new LeaseProtocol.ClaimAnswer(granted, refused));
    return Effect().none();
  }

  /**
   * Journals the reopen of the leases not reopened before, and confirms the whole message once that
   * is done: a reopen sent again (its confirmation was lost, or the learner restarted) is confirmed
   * without requeueing its tasks a second time. A reopened lease that is still open (its settlement
   * was lost) is closed with it, so that its task is not requeued again when it expires.
   */
  private Effect<Event, Ledger> onReopen(Ledger ledger, ReopenLeases r) {
    List<Long> leases = new ArrayList<>();
    List<String> tasks = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    int freed = 0;
    for (int i = 0; i < r.leases().size(); i++) {
      long id = r.leases().get(i).value();
      if (ledger.reopened.contains(id) || !seen.add(id)) {
        continue;
      }
      leases.add(id);
      tasks.add(r.tasks().get(i).value());
      if (ledger.open.containsKey(id)) {
        freed++;
        deadlines.remove(id);
      }
    }
    Runnable confirm = () -> r.replyTo().tell(new ReopenConfirmed(r.leases()));
    if (leases.isEmpty()) {
      return serve(ledger, null, 0, List.of(), confirm);
    }
    Reopened event =
        new Reopened(
            leases.stream().mapToLong(Long::longValue).toArray(), tasks.toArray(String[]::new));
    return serve(ledger, event, freed, tasks, confirm);
  }

  /** Interim: a returned lease expires at once (the lease book journals why). */
  private Effect<Event, Ledger> onReturnLeases(Ledger ledger, ReturnLeases r) {
    long[] ids =
        r.leases().stream()
            .mapToLong(LeaseId::value)
            .filter(id -> ledger.open.containsKey(id))
            .toArray();
    if (ids.length == 0) {
      return Effect().none();
    }
    List<String> tasks = new ArrayList<>();
    for (long id : ids) {
      deadlines.remove(id);
      tasks.add(ledger.open.get(id));
    }
    return serve(ledger, new Expired(ids), ids.length, tasks, null);
  }

  private Effect<Event, Ledger> onSweep(Ledger ledger) {
    publishStatus(ledger);
    long now = System.nanoTime();
    List<Long> expired = new ArrayList<>();
    for (Map.Entry<Long, Deadline> e : deadlines.entrySet()) {
      if (now - e.getValue().nanos() > 0) {
        expired.add(e.getKey());
        ctx.getLog()
            .warn(
                "lease-{} of {} to {} expired; leasing it again",
                e.getKey(),
                ledger.open.get(e.getKey()),
                e.getValue().worker());
      }
    }
    if (expired.isEmpty()) {
      return serveWaiting(ledger);
    }
    expired.forEach(deadlines::remove);
    expiredCount += expired.size();
    long[] ids = expired.stream().mapToLong(Long::longValue).toArray();
    return serve(
        ledger,
        new Expired(ids),
        ids.length,
        expired.stream().map(ledger.open::get).toList(),
        null);
  }

  private Effect<Event, Ledger> serveWaiting(Ledger ledger) {
    return serve(ledger, null, 0, List.of(), null);
  }

  /**
   * Journals {@code first} (if any) and leases tasks to as many waiting requests as the window
   * allows, in one journal write: {@code first} frees {@code freed} leases and adds {@code
   * requeued} to the reissue queue. {@code afterwards} (if any) runs once the write is done.
   */
  private Effect<Event, Ledger> serve(
      Ledger ledger, Event first, int freed, List<String> requeued, Runnable afterwards) {
    List<Event> events = new ArrayList<>();
    if (first != null) {
      events.add(first);
    }
    List<String> reissueQueue = new ArrayList<>(ledger.reissue);
    reissueQueue.addAll(requeued);
    int openCount = ledger.open.size() - freed;
    if (recoveredOpen) {
      // Leases open when the last incarnation stopped: their workers are gone with it.
      recoveredOpen = false;
      Set<Long> closedNow = new HashSet<>();
      long[] closing =
          first instanceof Settled settled
              ? settled.leases()
              : first instanceof Reopened reopened ? reopened.leases() : new long[0];
      for (long id : closing) {
        closedNow.add(id);
      }
      List<Long> stillOpen =
          ledger.open.keySet().stream().filter(id -> !closedNow.contains(id)).toList();
      events.add(new Expired(stillOpen.stream().mapToLong(Long::longValue).toArray()));
      stillOpen.forEach(id -> reissueQueue.add(ledger.open.get(id)));
      openCount = 0;
    }
    int free = settings.maxOutstandingTasks() - openCount;
    List<Runnable> replies = new ArrayList<>();
    if (afterwards != null) {
      replies.add(afterwards);
    }
    if (waiting.isEmpty() || free <= 0 || ledger.paused) {
      if (events.isEmpty()) {
        replies.forEach(Runnable::run);
        return Effect().none();
      }
      return Effect().persist(events).thenRun(after -> replies.forEach(Runnable::run));
    }
    long next = ledger.nextLease;
    int reissueTaken = 0;
    long deadline = System.nanoTime() + settings.leaseTimeout().toNanos();
    long now = System.nanoTime();
    while (!waiting.isEmpty() && free > 0) {
      Waiting w = waiting.poll();
      RequestTasks r = w.request();
      leaseWait.add((now - w.sinceNanos()) / 1e6);
      int n = Math.min(r.max(), free);
      String[] tasks = new String[n];
      int reissued = 0;
      for (int i = 0; i < n; i++) {
        if (reissueTaken < reissueQueue.size()) {
          tasks[i] = reissueQueue.get(reissueTaken++);
          reissued++;
        } else {
          tasks[i] = generator.next().id();
        }
      }
      events.add(new Leased(next, tasks, reissued, n - reissued));
      List<Lease> leases = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        deadlines.put(next + i, new Deadline(deadline, r.worker()));
        leases.add(new Lease(new LeaseId(next + i), new TaskId(tasks[i]), settings.groupSize()));
      }
      next += n;
      free -= n;
      replies.add(() -> r.replyTo().tell(new Leases(leases)));
    }
    return Effect().persist(events).thenRun(ledger2 -> replies.forEach(Runnable::run));
  }

  @Override
  public EventHandler<Ledger, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Leased.class, TaskSource::applyLeased)
        .onEvent(Settled.class, TaskSource::applySettled)
        .onEvent(Expired.class, TaskSource::applyExpired)
        .onEvent(Reopened.class, TaskSource::applyReopened)
        .onEvent(
            PauseChanged.class,
            (ledger, e) -> {
              ledger.paused = e.paused();
              return ledger;
            })
        .build();
  }

  private static Ledger applyLeased(Ledger ledger, Leased e) {
    for (int i = 0; i < e.reissued(); i++) {
      ledger.reissue.poll();
    }
    for (int i = 0; i < e.tasks().length; i++) {
      ledger.open.put(e.first() + i, e.tasks()[i]);
    }
    ledger.drawn += e.fresh();
    ledger.nextLease = Math.max(ledger.nextLease, e.first() + e.tasks().length);
    return ledger;
  }

  private static Ledger applySettled(Ledger ledger, Settled e) {
    for (long id : e.leases()) {
      ledger.open.remove(id);
    }
    return ledger;
  }

  private static Ledger applyExpired(Ledger ledger, Expired e) {
    for (long id : e.leases()) {
      String task = ledger.open.remove(id);
      if (task != null) {
        ledger.reissue.add(task);
      }
    }
    return ledger;
  }

  private static Ledger applyReopened(Ledger ledger, Reopened e) {
    for (int i = 0; i < e.leases().length; i++) {
      ledger.reopened.add(e.leases()[i]);
      ledger.open.remove(e.leases()[i]);
      ledger.reissue.add(e.tasks()[i]);
    }
    return ledger;
  }
}
