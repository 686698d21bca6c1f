package verity.envs.gridworld;

import verity.envs.Environment;

/**
 * One gridworld episode. Each step takes exactly one token: a move, or anything else, which ends
 * the episode (the check calls such a log malformed). The episode also ends at the goal and after
 * the horizon's last turn. The dynamics are deterministic, so the reset seed is not used.
 */
public final class GridEnvironment implements Environment {

  /** Where the episode stands; the check reaches the same conclusion from the action log. */
  public enum Status {
    NOT_STARTED,
    RUNNING,
    REACHED_GOAL,
    OUT_OF_TURNS,
    NOT_A_MOVE
  }

  private final GridDynamics dynamics;
  private final GridObserver observer;
  private final GridTokens tokens;
  private final int horizon;
  private GridState state;
  private int turns;
  private Status status = Status.NOT_STARTED;

  GridEnvironment(GridLevel level, GridTokens tokens, int horizon) {
    this.dynamics = new GridDynamics(level);
    this.observer = new GridObserver(dynamics, tokens);
    this.tokens = tokens;
    this.horizon = horizon;
  }

  @Override
  public int[] reset(long seed) {
    state = dynamics.start();
    turns = 0;
    status = Status.RUNNING;
    return observer.observe(state);
  }

  /**
   * @throws IllegalArgumentException when the action is not exactly one token (the suite's per-turn
   *     limit is one token, so this is a caller's bug, not a policy's choice)
   * @throws IllegalStateException before {@link #reset} or after the episode ended
   */
  @Override
  public Step step(int[] action) {
    if (status != Status.RUNNING) {
      throw new IllegalStateException("no episode running (" + status + ")");
    }
    if (action.length != 1) {
      throw new IllegalArgumentException("a gridworld action is one token, got " + action.length);
    }
    turns++;
    GridAction move = tokens.actionOf(action[0]);
    if (move == null) {
      status = Status.NOT_A_MOVE;
    } else {
      state = dynamics.next(state, move);
      if (dynamics.atGoal(state)) {
        status = Status.REACHED_GOAL;
      } else if (turns >= horizon) {
        status = Status.OUT_OF_TURNS;
      }
    }
    return new Step(observer.observe(state), status != Status.RUNNING);
  }

  public Status status() {
    return status;
  }

  /** Turns taken so far in this episode. */
  public int turns() {
    return turns;
  }
}
