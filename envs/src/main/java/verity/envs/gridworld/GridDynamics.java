package verity.envs.gridworld;

/**
 * The rules of one level, as a pure function from state and move to the next state. The
 * environment, the replaying check and the solver all step through this one class, so they cannot
 * disagree about what a move does.
 */
final class GridDynamics {
  private final GridLevel level;

  GridDynamics(GridLevel level) {
    this.level = level;
  }

  GridLevel level() {
    return level;
  }

  GridState start() {
    return new GridState(level.start(), 0, 0);
  }

  boolean atGoal(GridState state) {
    return state.position() == level.goal();
  }

  /**
   * The cell as it is in this state: a key already picked up and a door already opened read as
   * floor, since neither can be interacted with any more.
   */
  char cellNow(GridState state, int position) {
    char c = level.cell(position);
    if (GridLevel.isKey(c) && state.holds(c - 'a')) {
      return GridLevel.FLOOR;
    }
    if (GridLevel.isDoor(c) && state.opened(c - 'A')) {
      return GridLevel.FLOOR;
    }
    return c;
  }

  /** The cell seen at an offset from the agent; off the level is wall. */
  char cellAround(GridState state, int rowDelta, int columnDelta) {
    int r = state.position() / level.width() + rowDelta;
    int c = state.position() % level.width() + columnDelta;
    if (r < 0 || c < 0 || r >= level.height() || c >= level.width()) {
      return GridLevel.WALL;
    }
    return cellNow(state, r * level.width() + c);
  }

  /**
   * Walls and locked doors without their key block the move (the turn passes); a key is picked up
   * by walking onto it; a locked door opens, and the agent walks into it, when its key is held.
   * Keys are kept after opening their door.
   */
  GridState next(GridState state, GridAction action) {
    int r = state.position() / level.width() + action.rowDelta();
    int c = state.position() % level.width() + action.columnDelta();
    if (r < 0 || c < 0 || r >= level.height() || c >= level.width()) {
      return state;
    }
    int target = r * level.width() + c;
    char cell = cellNow(state, target);
    if (cell == GridLevel.WALL) {
      return state;
    }
    if (GridLevel.isDoor(cell)) {
      int colour = cell - 'A';
      return state.holds(colour)
          ? new GridState(target, state.keys(), state.doors() | (1 << colour))
          : state;
    }
    if (GridLevel.isKey(cell)) {
      return new GridState(target, state.keys() | (1 << (cell - 'a')), state.doors());
    }
    return new GridState(target, state.keys(), state.doors());
  }
}
