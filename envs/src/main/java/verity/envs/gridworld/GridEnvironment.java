package verity.envs.gridworld;

import verity.envs.Environment;

/**
 * One gridworld episode, in text: each observation is {@link GridObserver}'s characters, and each
 * step's action is one move symbol ({@code N}, {@code S}, {@code W} or {@code E}). Any other action
 * text (empty, several characters, a character that is no move) is not a move and ends the episode
 * (the check calls a log with a character that is no move malformed). The episode also ends at the
 * goal and after the horizon's last turn. The dynamics are deterministic, so the reset seed is not
 * used.
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
  private final int horizon;
  private GridState state;
  private int turns;
  private Status status = Status.NOT_STARTED;

  GridEnvironment(GridLevel level, GridAlphabet alphabet, int horizon) {
    this.dynamics = new GridDynamics(level);
    this.observer = new GridObserver(dynamics, alphabet);
    this.horizon = horizon;
  }

  @Override
  public String reset(long seed) {
    state = dynamics.start();
    turns = 0;
    status = Status.RUNNING;
    return observer.observe(state);
  }

  /**
   * Takes one turn: a move, or, for any text that is not exactly one move symbol, {@link
   * Status#NOT_A_MOVE}, which ends the episode where the agent stands.
   *
   * @throws IllegalStateException before {@link #reset} or after the episode ended
   */
  @Override
  public Step step(String action) {
    if (status != Status.RUNNING) {
      throw new IllegalStateException("no episode running (" + status + ")");
    }
    turns++;
    GridAction move = GridAction.fromAction(action);
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
