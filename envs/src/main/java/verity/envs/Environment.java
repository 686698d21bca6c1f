package verity.envs;

/**
 * The dynamics of one episode. {@link #reset(long)} starts it and gives the first observation; each
 * {@link #step(int[])} takes the policy's action tokens and gives the next observation, until
 * {@code done}. A single-turn task is done after one step; a multi-turn environment answers each
 * action and may run for thousands of steps. Environments are plain objects: a rollout worker runs
 * many side by side, one per episode.
 */
public interface Environment {

  /** What the environment answers to an action. */
  record Step(int[] observation, boolean done) {}

  /**
   * Starts the episode and gives the first observation, fed after the task's prompt (empty when the
   * prompt says it all); {@code seed} drives any randomness of the dynamics.
   */
  int[] reset(long seed);

  Step step(int[] action);
}
