package verity.envs;

/**
 * An episode of one turn: the task's prompt says it all, the policy answers once, and it is done.
 */
public final class SingleTurnEnvironment implements Environment {
  private boolean done;

  @Override
  public String reset(long seed) {
    done = false;
    return "";
  }

  @Override
  public Step step(String action) {
    if (done) {
      throw new IllegalStateException("single-turn episode already finished");
    }
    done = true;
    return new Step("", true);
  }
}
