package verity.rollout;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verity.actors.LocalOnly;
import verity.actors.VerityMessage;
import verity.actors.cluster.ServiceKeys;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.LeasesSettled;
import verity.envs.Task;
import verity.envs.TaskGenerator;

/**
 * Hands out leases on tasks when a worker asks (pull, never push). At most {@code
 * maxOutstandingTasks} leases are open at once; a request beyond that waits until the learner
 * settles leases, so generation never runs ahead of training. A lease not settled within the lease
 * timeout (its worker died or its trajectories were lost) is handed out again as a new lease.
 */
public final class TaskSource extends AbstractBehavior<TaskSource.Command> {
  public static final ServiceKey<Command> SERVICE_KEY =
      ServiceKey.create(Command.class, "verity-task-source");

  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

  /** A message the task source accepts. */
  public sealed interface Command extends VerityMessage {}

  /** Lease me up to {@code max} tasks; the reply may wait until there is capacity. */
  public record RequestTasks(int max, String worker, ActorRef<Leases> replyTo) implements Command {}

  /** Leased tasks: generate {@code groupSize} samples of each. */
  public record Leases(List<Lease> leases) implements VerityMessage {
    public Leases {
      leases = List.copyOf(leases);
    }
  }

  /** One leased task; the worker looks the task up in its own copy of the suite. */
  public record Lease(LeaseId id, TaskId task, int groupSize) {}

  private record Settled(LeaseProtocol.Command message) implements Command, LocalOnly {}

  private enum Sweep implements Command, LocalOnly {
    INSTANCE
  }

  private record Open(Task task, long deadlineNanos, String worker) {}

  private final RolloutSettings settings;
  private final TaskGenerator generator;
  private final Map<LeaseId, Open> open = new LinkedHashMap<>();
  private final ArrayDeque<Task> reissue = new ArrayDeque<>();
  private final ArrayDeque<RequestTasks> waiting = new ArrayDeque<>();
  private long nextLease = 1;

  public static Behavior<Command> create(RolloutSettings settings, TaskGenerator generator) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new TaskSource(ctx, timers, settings, generator)));
  }

  private TaskSource(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      RolloutSettings settings,
      TaskGenerator generator) {
    super(ctx);
    this.settings = settings;
    this.generator = generator;
    timers.startTimerWithFixedDelay(Sweep.INSTANCE, SWEEP_INTERVAL);
    ctx.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, ctx.getSelf()));
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.register(
                ServiceKeys.LEASE_SETTLEMENT,
                ctx.messageAdapter(LeaseProtocol.Command.class, Settled::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RequestTasks.class, this::onRequestTasks)
        .onMessage(Settled.class, this::onSettled)
        .onMessageEquals(Sweep.INSTANCE, this::onSweep)
        .build();
  }

  private Behavior<Command> onRequestTasks(RequestTasks r) {
    waiting.add(r);
    serveWaiting();
    return this;
  }

  private Behavior<Command> onSettled(Settled s) {
    LeasesSettled settled = (LeasesSettled) s.message();
    for (LeaseId id : settled.leases()) {
      open.remove(id);
    }
    serveWaiting();
    return this;
  }

  private Behavior<Command> onSweep() {
    long now = System.nanoTime();
    Iterator<Map.Entry<LeaseId, Open>> it = open.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<LeaseId, Open> e = it.next();
      if (now - e.getValue().deadlineNanos() > 0) {
        it.remove();
        reissue.add(e.getValue().task());
        getContext()
            .getLog()
            .warn(
                "{} of {} to {} expired; leasing it again",
                e.getKey(),
                e.getValue().task().id(),
                e.getValue().worker());
      }
    }
    serveWaiting();
    return this;
  }

  private void serveWaiting() {
    while (!waiting.isEmpty() && open.size() < settings.maxOutstandingTasks()) {
      RequestTasks r = waiting.poll();
      int n = Math.min(r.max(), settings.maxOutstandingTasks() - open.size());
      List<Lease> leases = new ArrayList<>(n);
      long deadline = System.nanoTime() + settings.leaseTimeout().toNanos();
      for (int i = 0; i < n; i++) {
        Task task = reissue.isEmpty() ? generator.next() : reissue.poll();
        LeaseId id = new LeaseId(nextLease++);
        open.put(id, new Open(task, deadline, r.worker()));
        leases.add(new Lease(id, new TaskId(task.id()), settings.groupSize()));
      }
      r.replyTo().tell(new Leases(leases));
    }
  }
}
