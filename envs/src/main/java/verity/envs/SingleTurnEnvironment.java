package verity.envs;

/**
 * An episode of one turn: the task's prompt says it all, the policy answers once, and it is done.
 */
public final class SingleTurnEnvironment implements Environment {
  private static final int[] NOTHING = new int[0];
  private boolean done;

  @Override
  public int[] reset(long seed) {
    done = false;
    return NOTHING;
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
