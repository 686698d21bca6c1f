package verity.rollout;

import verity.policy.Policy;

/** Builds a policy replica; called on the compute dispatcher because DJL start-up blocks. */
@FunctionalInterface
public interface ReplicaFactory {
  Policy create();
}
