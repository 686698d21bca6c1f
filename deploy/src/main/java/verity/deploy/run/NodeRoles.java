package verity.deploy.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import verity.reward.RewardVerifier;
import verity.rollout.Evaluator;
import verity.rollout.RolloutWorker;

/**
 * The actors a node runs for each of its roles, the same in the single-JVM dev cluster and on a
 * node of a multi-process cluster. Worker and verifier names carry the node's name ({@code
 * node:rollout-0}), so that reports can be counted per node.
 */
public final class NodeRoles {
  private NodeRoles() {}

  /** {@code verity.rollout.workers} rollout workers, each with its own sampling seed. */
  public static void spawnRolloutWorkers(
      ActorContext<?> ctx, RunPlan plan, String node, long streamBase) {
    long seed = plan.dev().seed();
    for (int i = 0; i < plan.rollout().workers(); i++) {
      String actor = "rollout-" + i;
      ctx.spawn(
          RolloutWorker.create(
              node + ":" + actor,
              plan.suite(),
              plan.rollout(),
              plan.policy().temperature(),
              seed * 1_000_003L + streamBase + i + 1,
              () -> plan.newReplica(seed)),
          actor);
    }
  }

  /** The verifier pool of the run's suite. */
  public static void spawnVerifier(ActorContext<?> ctx, RunPlan plan, String node) {
    String actor = "verifier-" + plan.suite().name();
    ctx.spawn(
        RewardVerifier.create(node + ":" + actor, plan.suite(), plan.planExecutor(), plan.reward()),
        actor);
  }

  /** The greedy evaluator (validation and test splits) that a run's monitor asks for pass@1. */
  public static ActorRef<Evaluator.Command> spawnEvaluator(ActorContext<?> ctx, RunPlan plan) {
    return ctx.spawn(evaluator(plan), "evaluator");
  }

  private static Behavior<Evaluator.Command> evaluator(RunPlan plan) {
    long seed = plan.dev().seed();
    return Evaluator.create(
        plan.suite(),
        (task, text) -> plan.planExecutor().execute(plan.suite().plan(task, text)),
        plan.rollout(),
        () -> plan.newReplica(seed));
  }
}
