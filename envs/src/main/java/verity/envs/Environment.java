package verity.envs;

/**
 * The dynamics of one episode. {@link #reset()} gives the first observation; each {@link
 * #step(int[])} takes the policy's action tokens (up to and including its end-of-sequence) and
 * gives the next observation, until {@code done}. A single-turn task is done after one step; a
 * multi-turn environment answers each action and may run for thousands of steps.
 */
public interface Environment {

  /** What the environment answers to an action. */
  record Step(int[] observation, boolean done) {}

  int[] reset();

  Step step(int[] action);
}
