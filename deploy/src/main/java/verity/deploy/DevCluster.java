package verity.deploy;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import verity.actors.LocalOnly;
import verity.actors.cluster.JournalDatabase;
import verity.learner.Learner;
import verity.learner.checkpoint.CheckpointSettings;
import verity.reward.RewardVerifier;
import verity.rollout.Evaluator;
import verity.rollout.RolloutWorker;
import verity.rollout.TaskSource;

/**
 * The guardian of the single-node dev cluster: every role in one JVM, with every message still
 * serialized. Seeds are derived from the run's seed so that each actor's stream is distinct and
 * reproducible.
 */
final class DevCluster {
  private DevCluster() {}

  /** The guardian's own messages: the journal's tables exist, or could not be made. */
  sealed interface Command extends LocalOnly {}

  private record SchemaReady(Throwable failure) implements Command {}

  /** Creates the journal's tables, then starts the run's actors. */
  static Behavior<Command> create(
      RunPlan plan, Consumer<String> out, CompletableFuture<RunSummary> result) {
    return Behaviors.setup(
        ctx -> {
          ctx.pipeToSelf(
              JournalDatabase.ensureSchema(ctx.getSystem()), (ok, err) -> new SchemaReady(err));
          return Behaviors.receive(Command.class)
              .onMessage(
                  SchemaReady.class,
                  ready -> {
                    if (ready.failure() != null) {
                      result.completeExceptionally(
                          new IllegalStateException(
                              "cannot open the journal at "
                                  + JournalDatabase.url(plan.config())
                                  + ": "
                                  + ready.failure().getMessage(),
                              ready.failure()));
                      return Behaviors.stopped();
                    }
                    return start(plan, out, result);
                  })
              .build();
        });
  }

  private static Behavior<Command> start(
      RunPlan plan, Consumer<String> out, CompletableFuture<RunSummary> result) {
    return Behaviors.setup(
        ctx -> {
          long seed = plan.dev().seed();
          ctx.spawn(
              Learner.create(
                  plan.learner(),
                  CheckpointSettings.from(plan.config()),
                  plan.suite().name(),
                  plan.objective(),
                  () -> plan.newReplica(seed),
                  new SuiteDemonstrations(plan.suite(), seed ^ 0xD3A0L)),
              "learner");
          ctx.spawn(TaskSource.create(plan.rollout(), plan.suite().generator(seed)), "task-source");
          ctx.spawn(
              RewardVerifier.create(
                  "verifier-" + plan.suite().name(),
                  plan.suite(),
                  plan.planExecutor(),
                  plan.reward()),
              "verifier-" + plan.suite().name());
          for (int i = 0; i < plan.rollout().workers(); i++) {
            String name = "rollout-" + i;
            ctx.spawn(
                RolloutWorker.create(
                    name,
                    plan.suite(),
                    plan.rollout(),
                    plan.policy().temperature(),
                    seed * 1_000_003L + i + 1,
                    () -> plan.newReplica(seed)),
                name);
          }
          ActorRef<Evaluator.Command> evaluator =
              ctx.spawn(
                  Evaluator.create(
                      plan.suite(),
                      (task, text) -> plan.planExecutor().execute(plan.suite().plan(task, text)),
                      plan.rollout().evaluateEverySteps(),
                      () -> plan.newReplica(seed)),
                  "evaluator");
          ctx.spawn(RunMonitor.create(plan.dev(), evaluator, out, result), "monitor");
          return Behaviors.<Command>empty();
        });
  }
}
