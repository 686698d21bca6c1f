package verity.envs;

/** An episode of one turn: the prompt, then one completion, then done. */
public final class SingleTurnEnvironment implements Environment {
  private static final int[] NOTHING = new int[0];
  private final int[] prompt;
  private boolean done;

  public SingleTurnEnvironment(int[] prompt) {
    this.prompt = prompt.clone();
  }

  @Override
  public int[] reset(long seed) {
    done = false;
    return prompt.clone();
  }

  @Override
  public Step step(int[] action) {
    if (done) {
      throw new IllegalStateException("single-turn episode already finished");
    }
    done = true;
    return new Step(NOTHING, true);
  }
}
