package verity.envs;

/**
 * The dynamics of one episode, in text. {@link #reset(long)} starts it and gives the first
 * observation; each {@link #step(String)} takes the text of the policy's action and gives the next
 * observation, until {@code done}. A single-turn task is done after one step; a multi-turn
 * environment answers each action and may run for thousands of steps. Environments are plain
 * objects: a rollout worker runs many side by side, one per episode, and the policy's tokenizer
 * turns their text into tokens and the policy's tokens back into text.
 */
public interface Environment {

  /** What the environment answers to an action: text fed to the policy, and whether it ended. */
  record Step(String observation, boolean done) {
    public Step {
      java.util.Objects.requireNonNull(observation, "observation");
    }
  }

  /**
   * Starts the episode and gives the first observation, fed after the task's prompt (empty when the
   * prompt says it all); {@code seed} drives any randomness of the dynamics.
   */
  String reset(long seed);

  /**
   * Answers one action: the text the policy wrote in this turn, up to its end-of-sequence (which is
   * not part of the text).
   */
  Step step(String action);
}
