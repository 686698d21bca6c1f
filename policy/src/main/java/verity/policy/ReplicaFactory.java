package verity.policy;

/**
 * Builds a policy replica (a rollout worker's, the evaluator's, the learner's or a learner
 * shard's); called on a compute or training dispatcher because DJL start-up blocks.
 */
@FunctionalInterface
public interface ReplicaFactory {
  Policy create();
}
