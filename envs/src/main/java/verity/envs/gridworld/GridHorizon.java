package verity.envs.gridworld;

import java.util.List;

/**
 * How many turns an episode on a level may take: the same for every level ({@link #fixed}), or a
 * multiple of the level's shortest path ({@link #perShortestMove}), never more than a cap. A
 * horizon matched to the level ends a wandering episode after a few times the turns the level
 * needs, so that the reward cannot be earned by a random walk and a policy that loops is cut off
 * early.
 *
 * @param turnsPerShortestMove turns allowed per move of the level's shortest path; 0 = fixed
 * @param cap the most turns any level gets (every level's, when fixed)
 */
public record GridHorizon(int turnsPerShortestMove, int cap) {

  public GridHorizon {
    if (turnsPerShortestMove < 0) {
      throw new IllegalArgumentException(
          "turns per shortest move must be at least 0, got " + turnsPerShortestMove);
    }
    if (cap < 1) {
      throw new IllegalArgumentException("a horizon must be at least 1 turn, got " + cap);
    }
  }

  /** Every level gets {@code turns} turns. */
  public static GridHorizon fixed(int turns) {
    return new GridHorizon(0, turns);
  }

  /** A level whose shortest path has {@code n} moves gets {@code min(k * n, cap)} turns. */
  public static GridHorizon perShortestMove(int k, int cap) {
    if (k < 1) {
      throw new IllegalArgumentException("turns per shortest move must be at least 1, got " + k);
    }
    return new GridHorizon(k, cap);
  }

  /**
   * The turns an episode on this level may take.
   *
   * @throws IllegalArgumentException for a level without a path to its goal (no suite serves one)
   */
  public int of(GridLevel level) {
    if (turnsPerShortestMove == 0) {
      return cap;
    }
    List<GridAction> path =
        GridSolver.solve(level)
            .orElseThrow(() -> new IllegalArgumentException("the level has no path to its goal"));
    return (int) Math.min(cap, Math.max(1L, (long) turnsPerShortestMove * path.size()));
  }
}
