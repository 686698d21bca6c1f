package verity.envs.gridworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GridDynamicsTest {
  // Agent at (1,2); key a to its west, door A two cells east, goal behind it.
  final GridLevel level = GridLevel.parse("#######", "#a@.AG#", "#######");
  final GridDynamics dynamics = new GridDynamics(level);

  GridState walk(GridState s, GridAction... moves) {
    for (GridAction a : moves) {
      s = dynamics.next(s, a);
    }
    return s;
  }

  @Test
  void shouldStayPutWhenWalkingIntoAWall() {
    GridState start = dynamics.start();
    assertEquals(start, dynamics.next(start, GridAction.NORTH));
    assertEquals(start, dynamics.next(start, GridAction.SOUTH));
  }

  @Test
  void shouldTreatOutsideTheLevelAsWall() {
    GridLevel open = GridLevel.parse("@G");
    GridDynamics d = new GridDynamics(open);
    assertEquals(d.start(), d.next(d.start(), GridAction.WEST));
    assertEquals(GridLevel.WALL, d.cellAround(d.start(), -1, 0));
  }

  @Test
  void shouldKeepALockedDoorShutWithoutItsKey() {
    GridState s = walk(dynamics.start(), GridAction.EAST, GridAction.EAST);
    assertEquals(level.start() + 1, s.position());
    assertFalse(s.opened(0));
  }

  @Test
  void shouldPickUpAKeyByWalkingOntoIt() {
    GridState s = dynamics.next(dynamics.start(), GridAction.WEST);
    assertTrue(s.holds(0));
    assertEquals(GridLevel.FLOOR, dynamics.cellNow(s, s.position()));
  }

  @Test
  void shouldOpenADoorAndStepIntoItWithTheKey() {
    GridState s = walk(dynamics.start(), GridAction.WEST, GridAction.EAST, GridAction.EAST);
    s = dynamics.next(s, GridAction.EAST);
    assertEquals(level.doorAt(0), s.position());
    assertTrue(s.opened(0));
    assertTrue(s.holds(0), "keys are kept after opening their door");
    assertTrue(dynamics.atGoal(dynamics.next(s, GridAction.EAST)));
  }

  @Test
  void shouldRejectLevelsWithTwoKeysOfOneColour() {
    assertThrows(IllegalArgumentException.class, () -> GridLevel.parse("#a@aG#"));
    assertThrows(IllegalArgumentException.class, () -> GridLevel.parse("#.@.#"));
    assertThrows(IllegalArgumentException.class, () -> GridLevel.parse("#@x.G"));
  }

  @Test
  void shouldDrawALevelAsItWasParsed() {
    assertEquals(level, GridLevel.parse(level.rows()));
    assertEquals(1, level.pairs());
  }
}
