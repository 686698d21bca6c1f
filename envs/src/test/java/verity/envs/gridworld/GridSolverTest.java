package verity.envs.gridworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GridSolverTest {

  /**
   * True when some sequence of at most {@code moves} moves reaches the goal, tried exhaustively.
   */
  static boolean reachable(GridDynamics d, GridState s, int moves) {
    if (d.atGoal(s)) {
      return true;
    }
    if (moves == 0) {
      return false;
    }
    for (GridAction a : GridAction.values()) {
      if (reachable(d, d.next(s, a), moves - 1)) {
        return true;
      }
    }
    return false;
  }

  static void assertOptimal(int expectedMoves, String... rows) {
    GridLevel level = GridLevel.parse(rows);
    List<GridAction> path = GridSolver.solve(level).orElseThrow();
    assertEquals(expectedMoves, path.size());
    GridDynamics d = new GridDynamics(level);
    GridState s = d.start();
    for (GridAction a : path) {
      s = d.next(s, a);
    }
    assertTrue(d.atGoal(s), "the path reaches the goal");
    assertFalse(reachable(d, d.start(), expectedMoves - 1), "no shorter path exists");
  }

  @Test
  void shouldWalkStraightToAGoalInSight() {
    assertOptimal(2, "#####", "#@.G#", "#####");
  }

  @Test
  void shouldFetchTheKeyBehindTheAgentFirst() {
    assertOptimal(5, "#######", "#a@.AG#", "#######");
  }

  @Test
  void shouldDetourForAKeyDownADeadEnd() {
    assertOptimal(10, "#######", "#@..#G#", "#.#.A.#", "#a#####", "#######");
  }

  @Test
  void shouldOpenDoorsInTheOrderTheirKeysAllow() {
    assertOptimal(5, "########", "#@aAbBG#", "########");
    assertOptimal(9, "##########", "#b.@aA.BG#", "##########");
  }

  @Test
  void shouldSkipAKeyWhenTheWayAroundTheDoorIsShorter() {
    assertOptimal(6, "#######", "#@.A.G#", "#.....#", "#a#####", "#######");
  }

  @Test
  void shouldFindNoPathWhenAKeyLiesBehindItsOwnDoor() {
    assertTrue(GridSolver.solve(GridLevel.parse("######", "#@AaG#", "######")).isEmpty());
    assertTrue(GridSolver.solve(GridLevel.parse("######", "#@#.G#", "######")).isEmpty());
  }
}
