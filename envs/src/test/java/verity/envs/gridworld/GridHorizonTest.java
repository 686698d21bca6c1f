package verity.envs.gridworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GridHorizonTest {
  /** Three moves east from the start to the goal. */
  final GridLevel threeMoves = GridLevel.parse("######", "#@..G#", "#....#", "######");

  /** Six moves: east onto the key, east, south through the door and on, then west to the goal. */
  final GridLevel sixMoves = GridLevel.parse("#######", "#@a...#", "###A###", "#G....#", "#######");

  @Test
  void shouldGiveEveryLevelTheSameTurnsWhenFixed() {
    GridHorizon h = GridHorizon.fixed(256);
    assertEquals(256, h.of(threeMoves));
    assertEquals(256, h.of(sixMoves));
    assertEquals(256, h.cap());
  }

  @Test
  void shouldGiveAMultipleOfTheShortestPathWhenMatched() {
    assertEquals(6, GridSolver.solve(sixMoves).orElseThrow().size());
    GridHorizon h = GridHorizon.perShortestMove(4, 256);
    assertEquals(12, h.of(threeMoves));
    assertEquals(24, h.of(sixMoves));
  }

  @Test
  void shouldNeverGiveMoreThanTheCap() {
    GridHorizon h = GridHorizon.perShortestMove(4, 20);
    assertEquals(12, h.of(threeMoves));
    assertEquals(20, h.of(sixMoves));
  }

  @Test
  void shouldRefuseARuleThatAllowsNoTurn() {
    assertThrows(IllegalArgumentException.class, () -> GridHorizon.fixed(0));
    assertThrows(IllegalArgumentException.class, () -> GridHorizon.perShortestMove(0, 256));
    assertThrows(IllegalArgumentException.class, () -> GridHorizon.perShortestMove(4, 0));
  }
}
