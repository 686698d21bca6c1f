package verity.envs.gridworld;

/**
 * The four moves of a gridworld agent. There are no separate pick-up or open actions: walking onto
 * a key picks it up and walking into a locked door with its key opens it, so one symbol is one
 * move.
 */
public enum GridAction {
  NORTH('N', -1, 0),
  SOUTH('S', 1, 0),
  WEST('W', 0, -1),
  EAST('E', 0, 1);

  private final char symbol;
  private final int rowDelta;
  private final int columnDelta;

  GridAction(char symbol, int rowDelta, int columnDelta) {
    this.symbol = symbol;
    this.rowDelta = rowDelta;
    this.columnDelta = columnDelta;
  }

  /** The character that stands for this move in actions, observations and action logs. */
  public char symbol() {
    return symbol;
  }

  int rowDelta() {
    return rowDelta;
  }

  int columnDelta() {
    return columnDelta;
  }

  /** The move written as {@code symbol}, or {@code null} when the character is not a move. */
  public static GridAction fromSymbol(char symbol) {
    for (GridAction a : values()) {
      if (a.symbol == symbol) {
        return a;
      }
    }
    return null;
  }

  /**
   * The move an action's text stands for: exactly one move symbol. Anything else (empty text, two
   * symbols, a character that is no move) is {@code null}.
   */
  public static GridAction fromAction(String text) {
    return text.length() == 1 ? fromSymbol(text.charAt(0)) : null;
  }
}
