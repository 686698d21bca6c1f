package verity.deploy.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.ClusterSingletonSettings;
import akka.cluster.typed.SingletonActor;
import java.util.Set;
import verity.actors.cluster.NodeStatusReporter;
import verity.actors.cluster.Role;
import verity.deploy.run.NodeRoles;
import verity.deploy.run.RunCoordinator;
import verity.deploy.run.RunPlan;
import verity.learner.shard.LearnerShard;

/**
 * The guardian of one node of a multi-process cluster: it starts the actors of the node's roles.
 * Every learner node takes part in the run coordinator's singleton (it runs on the oldest one and
 * moves when that one leaves or dies) and hosts learner shards; a rollout node runs its workers; a
 * reward node its verifier pool; a console node the evaluator.
 */
public final class ClusterNode {
  private ClusterNode() {}

  /** Every node of a Verity cluster runs an actor system of this name. */
  public static final String SYSTEM = "verity";

  static final String COORDINATOR = "coordinator";

  public static Behavior<Void> create(RunPlan plan, String name, Set<Role> roles) {
    return Behaviors.setup(
        ctx -> {
          ctx.spawn(NodeStatusReporter.create(), "node-status");
          if (roles.contains(Role.LEARNER)) {
            ClusterSingleton.get(ctx.getSystem())
                .init(
                    SingletonActor.of(
                            RunCoordinator.create(
                                plan,
                                failure ->
                                    ctx.getLog()
                                        .warn("journal unavailable, retrying: {}", failure)),
                            COORDINATOR)
                        .withSettings(
                            ClusterSingletonSettings.create(ctx.getSystem())
                                .withRole(Role.LEARNER.configName())));
            if (plan.learner().shards() > 1) {
              LearnerShard.init(ctx.getSystem(), () -> plan.newReplica(plan.dev().seed()));
            }
          }
          if (roles.contains(Role.REWARD)) {
            NodeRoles.spawnVerifier(ctx, plan, name);
          }
          if (roles.contains(Role.ROLLOUT)) {
            NodeRoles.spawnRolloutWorkers(ctx, plan, name, (name.hashCode() & 0x7fffffffL) * 1000);
          }
          if (roles.contains(Role.CONSOLE)) {
            NodeRoles.spawnEvaluator(ctx, plan);
          }
          return Behaviors.empty();
        });
  }
}
