package verity.envs.gridworld;

import verity.envs.CheckResult;

/**
 * The gridworld check: replays an action log, one character per turn, in a fresh simulator of the
 * level and rewards reaching the goal within the horizon. Nothing the worker reports is read
 * besides the log. Turns after the goal or past the horizon are ignored, as the environment ends
 * the episode there; a character that is no move before that makes the log malformed.
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
        return CheckResult.correct();
      }
    }
    return CheckResult.wrong(
        log.length() < horizon
            ? "the log ends after " + log.length() + " turns, short of the goal"
            : "the goal is not reached within " + horizon + " turns");
  }
}
