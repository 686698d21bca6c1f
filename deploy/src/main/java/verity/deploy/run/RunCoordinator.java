package verity.deploy.run;

import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.function.Consumer;
import verity.actors.LocalOnly;
import verity.actors.cluster.CoordinatorFence;
import verity.actors.cluster.JournalDatabase;
import verity.learner.Learner;
import verity.learner.checkpoint.CheckpointSettings;
import verity.rollout.TaskSource;

/**
 * The run's one writer of the journal: it makes sure the journal's tables exist, then runs the task
 * source (the lease ledger) and the learner (the training ledger) as its children. In a
 * multi-process cluster it is a cluster singleton on the oldest learner node, so both ledgers move
 * together when that node dies and recover from the journal on the next one; the embedded H2 file
 * is then opened by one process at a time, which its file lock enforces.
 *
 * <p>A failure of either child stops it, which fails the coordinator (it watches both), which
 * restarts with back-off: both ledgers recover from the journal and the learner from its newest
 * good checkpoint.
 */
public final class RunCoordinator {
  private RunCoordinator() {}

  /** The coordinator's own messages: the journal's tables exist, or could not be made. */
  public sealed interface Command extends LocalOnly {}

  private record SchemaReady(Throwable failure) implements Command {}

  /** Time to write the heartbeat under the PostgreSQL fence. */
  private enum Beat implements Command {
    INSTANCE
  }

  /** The heartbeat's outcome: null when the database took it. */
  private record Beaten(Throwable failure) implements Command {}

  /** How often a coordinator on PostgreSQL checks that the fence is still its own. */
  static final Duration HEARTBEAT = Duration.ofSeconds(1);

  static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

  /**
   * The coordinator under its restart-with-back-off supervision.
   *
   * @param journalUnavailable told each time the journal cannot be opened, before the retry (the
   *     dev command gives up at once; a cluster node waits, as another process may still hold the
   *     file)
   */
  public static Behavior<Command> create(RunPlan plan, Consumer<Throwable> journalUnavailable) {
    return Behaviors.supervise(unsupervised(plan, journalUnavailable))
        .onFailure(SupervisorStrategy.restartWithBackoff(MIN_BACKOFF, MAX_BACKOFF, 0.2));
  }

  private static Behavior<Command> unsupervised(
      RunPlan plan, Consumer<Throwable> journalUnavailable) {
    return Behaviors.setup(
        ctx -> {
          if (akka.actor.CoordinatedShutdown.get(ctx.getSystem().classicSystem())
              .getShutdownReason()
              .isPresent()) {
            // A ledger that failed because its node is shutting down (the journal closes under
            // it) is not restarted there: a restart would resume the learner from its checkpoint
            // and reopen the leases of later steps for nothing. The next host recovers both.
            return Behaviors.stopped();
          }
          // On PostgreSQL this also takes the database's fence over: a frozen former coordinator
          // that resumes finds its writes refused (H2's file lock fences the embedded journal).
          ctx.pipeToSelf(
              CoordinatorFence.claim(ctx.getSystem()), (epoch, err) -> new SchemaReady(err));
          return Behaviors.receive(Command.class)
              .onMessage(
                  SchemaReady.class, ready -> onSchemaReady(ctx, plan, ready, journalUnavailable))
              .build();
        });
  }

  private static Behavior<Command> onSchemaReady(
      ActorContext<Command> ctx,
      RunPlan plan,
      SchemaReady ready,
      Consumer<Throwable> journalUnavailable) {
    if (ready.failure() instanceof CoordinatorFence.Fenced fenced) {
      // A newer coordinator took the journal over: this one was frozen or cut off. Retrying
      // cannot succeed; this node stops coordinating (the singleton runs on the new host).
      ctx.getLog().error(fenced.getMessage());
      return Behaviors.stopped();
    }
    if (ready.failure() != null) {
      IllegalStateException failure =
          new IllegalStateException(
              "cannot open the journal at "
                  + JournalDatabase.url(plan.config())
                  + ": "
                  + ready.failure().getMessage(),
              ready.failure());
      journalUnavailable.accept(failure);
      throw failure;
    }
    ctx.getLog()
        .info(
            "run coordinator started on {}",
            akka.cluster.typed.Cluster.get(ctx.getSystem()).selfMember().address());
    long seed = plan.dev().seed();
    ctx.watch(
        ctx.spawn(
            Learner.create(
                plan.learner(),
                CheckpointSettings.from(plan.config()),
                plan.suite().name(),
                plan.objective(),
                () -> plan.newReplica(seed),
                new SuiteDemonstrations(plan.suite(), plan.spec().tokenizer(), seed ^ 0xD3A0L)),
            "learner"));
    ctx.watch(
        ctx.spawn(TaskSource.create(plan.rollout(), plan.suite().generator(seed)), "task-source"));
    if (!CoordinatorFence.from(ctx.getSystem().settings().config()).guards()) {
      // A child that stops fails this actor (an unhandled Terminated), which restarts both.
      return Behaviors.empty();
    }
    // On PostgreSQL a heartbeat under the fence every second: a coordinator frozen while another
    // took over learns within a second of resuming that its writes are refused, and stops.
    return Behaviors.withTimers(
        timers -> {
          timers.startTimerWithFixedDelay(Beat.INSTANCE, HEARTBEAT);
          return Behaviors.receive(Command.class)
              .onMessage(
                  Beat.class,
                  b -> {
                    ctx.pipeToSelf(
                        CoordinatorFence.beat(ctx.getSystem()), (ok, e) -> new Beaten(e));
                    return Behaviors.same();
                  })
              .onMessage(Beaten.class, beaten -> onBeaten(ctx, beaten))
              .build();
        });
  }

  private static Behavior<Command> onBeaten(ActorContext<Command> ctx, Beaten beaten) {
    Throwable failure =
        beaten.failure() instanceof java.util.concurrent.CompletionException c
                && c.getCause() != null
            ? c.getCause()
            : beaten.failure();
    if (failure instanceof CoordinatorFence.Fenced fenced) {
      ctx.getLog().error(fenced.getMessage());
      return Behaviors.stopped(); // the ledgers stop with it; the new coordinator has the journal
    }
    if (failure != null) {
      ctx.getLog().warn("coordinator heartbeat not written: {}", failure.getMessage());
    }
    return Behaviors.same();
  }
}
