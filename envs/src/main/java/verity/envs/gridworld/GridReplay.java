package verity.envs.gridworld;

import verity.envs.CheckResult;
import verity.envs.Outcome;

/**
 * The gridworld check: replays an action log (the turns' action texts one after another, so one
 * character per turn) in a fresh simulator of the level and rewards reaching the goal within the
 * horizon. Nothing the worker reports is read besides the log. Turns after the goal or past the
 * horizon are ignored, as the environment ends the episode there; a character that is no move
 * before that makes the log malformed. A success earns 1 - 0.9 * turns / horizon, MiniGrid's
 * reward: a random walk that stumbles on the goal late earns little, so a policy learns to go there
 * directly. The verdict is {@code correct} all the same.
 */
final class GridReplay {
  private GridReplay() {}

  static CheckResult check(GridLevel level, int horizon, String log) {
    GridDynamics dynamics = new GridDynamics(level);
    GridState state = dynamics.start();
    int turns = Math.min(horizon, log.length());
    for (int t = 0; t < turns; t++) {
      GridAction move = GridAction.fromSymbol(log.charAt(t));
      if (move == null) {
        return CheckResult.malformed("turn " + (t + 1) + ": '" + log.charAt(t) + "' is no move");
      }
      state = dynamics.next(state, move);
      if (dynamics.atGoal(state)) {
        return new CheckResult(1.0 - 0.9 * (t + 1) / horizon, Outcome.CORRECT, (t + 1) + " turns");
      }
    }
    return CheckResult.wrong(
        log.length() < horizon
            ? "the log ends after " + log.length() + " turns, short of the goal"
            : "the goal is not reached within " + horizon + " turns");
  }
}
