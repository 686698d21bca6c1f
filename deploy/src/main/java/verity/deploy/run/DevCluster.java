package verity.deploy.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import verity.actors.cluster.NodeStatusReporter;
import verity.rollout.Evaluator;

/**
 * The guardian of the single-node dev cluster: every role in one JVM, with every message still
 * serialized. Seeds are derived from the run's seed so that each actor's stream is distinct and
 * reproducible.
 */
public final class DevCluster {
  private DevCluster() {}

  /** The node name that worker and verifier reports carry. */
  public static final String NODE = "dev";

  public static Behavior<Void> create(
      RunPlan plan, Consumer<String> out, CompletableFuture<RunSummary> result) {
    return Behaviors.setup(
        ctx -> {
          ctx.spawn(RunCoordinator.create(plan, result::completeExceptionally), "coordinator");
          NodeRoles.spawnVerifier(ctx, plan, NODE);
          ctx.spawn(NodeStatusReporter.create(), "node-status");
          NodeRoles.spawnRolloutWorkers(ctx, plan, NODE, 0);
          ActorRef<Evaluator.Command> evaluator = NodeRoles.spawnEvaluator(ctx, plan);
          ctx.spawn(RunMonitor.create(plan.dev(), evaluator, out, result), "monitor");
          return Behaviors.empty();
        });
  }
}
