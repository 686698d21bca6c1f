package verity.envs.gridworld;

/**
 * Writes what the policy sees of a level, one character per cell or mark: the prompt (the whole
 * level at the start) and the fixed-length observation after each move (the eight cells around the
 * agent, what it carries and the direction of the goal). The layout is documented on {@link
 * GridworldSuite}.
 */
final class GridObserver {
  private static final int[][] NEIGHBOURS = {
    {-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1}
  };

  private final GridDynamics dynamics;
  private final GridAlphabet alphabet;

  GridObserver(GridDynamics dynamics, GridAlphabet alphabet) {
    if (dynamics.level().pairs() > alphabet.pairs()) {
      throw new IllegalArgumentException(
          "a level with " + dynamics.level().pairs() + " pairs needs their symbols");
    }
    this.dynamics = dynamics;
    this.alphabet = alphabet;
  }

  /** Characters per observation for a suite with this many pairs. */
  static int observationLength(int pairs) {
    return NEIGHBOURS.length + pairs + 2;
  }

  /**
   * Characters in the prompt of a square level of this size: its inside, without the outer wall.
   */
  static int promptLength(int size) {
    return (size - 2) * (size - 2);
  }

  /**
   * The level inside its outer wall (every level a suite serves has one), row by row, with
   * {@code @} where the agent starts.
   */
  String prompt() {
    GridLevel level = dynamics.level();
    int h = level.height() - 2;
    int w = level.width() - 2;
    StringBuilder out = new StringBuilder(h * w);
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        int p = (r + 1) * level.width() + c + 1;
        out.append(alphabet.symbol(p == level.start() ? GridLevel.AGENT : level.cell(p)));
      }
    }
    return out.toString();
  }

  String observe(GridState state) {
    StringBuilder out = new StringBuilder(observationLength(alphabet.pairs()));
    for (int[] d : NEIGHBOURS) {
      out.append(alphabet.symbol(dynamics.cellAround(state, d[0], d[1])));
    }
    for (int colour = 0; colour < alphabet.pairs(); colour++) {
      out.append(alphabet.symbol(state.holds(colour) ? (char) ('a' + colour) : '-'));
    }
    int width = dynamics.level().width();
    int goal = dynamics.level().goal();
    int dr = Integer.signum(goal / width - state.position() / width);
    int dc = Integer.signum(goal % width - state.position() % width);
    out.append(alphabet.symbol(dr < 0 ? 'N' : dr > 0 ? 'S' : '-'));
    out.append(alphabet.symbol(dc < 0 ? 'W' : dc > 0 ? 'E' : '-'));
    return out.toString();
  }
}
