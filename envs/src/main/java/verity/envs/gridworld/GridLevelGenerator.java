package verity.envs.gridworld;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a square keys-and-doors level from a seed. Walls with one locked door each split the level
 * into a row of rooms; the agent starts in the first room, the goal lies in the last, and the key
 * of each door lies somewhere before it, so every door must be opened in order. The layout is then
 * turned by one of the eight symmetries of the square, and the level is checked with {@link
 * GridSolver} before it is handed out.
 */
public final class GridLevelGenerator {
  public static final int MIN_SIZE = 5;
  public static final int MAX_SIZE = 16;

  /** Construction already makes every level solvable; the solver check is a guard against bugs. */
  private static final int MAX_ATTEMPTS = 8;

  private GridLevelGenerator() {}

  /** The most key/door pairs a level of this size has room for: each room is one column or more. */
  public static int maxPairs(int size) {
    return Math.min(GridLevel.MAX_PAIRS, (size - 3) / 2);
  }

  /**
   * The level of this size, pair count and seed; the same arguments always give the same level.
   *
   * @throws IllegalArgumentException when the size or pair count is out of range
   */
  public static GridLevel generate(int size, int pairs, long seed) {
    if (size < MIN_SIZE || size > MAX_SIZE) {
      throw new IllegalArgumentException(
          "size must be in " + MIN_SIZE + ".." + MAX_SIZE + ", got " + size);
    }
    if (pairs < 0 || pairs > maxPairs(size)) {
      throw new IllegalArgumentException(
          "a " + size + "x" + size + " level has room for 0.." + maxPairs(size) + " pairs");
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      GridLevel level = layout(size, pairs, random);
      if (GridSolver.solve(level).isPresent()) {
        return level;
      }
    }
    throw new IllegalStateException("no solvable level for size " + size + ", seed " + seed);
  }

  private static GridLevel layout(int n, int pairs, SplittableRandom random) {
    char[] cells = new char[n * n];
    Arrays.fill(cells, GridLevel.FLOOR);
    for (int i = 0; i < n; i++) {
      cells[i] = cells[(n - 1) * n + i] = cells[i * n] = cells[i * n + n - 1] = GridLevel.WALL;
    }
    int[] roomLeft = roomLefts(n, pairs, random);
    int[] colours = shuffled(pairs, random);
    for (int i = 1; i <= pairs; i++) {
      int wall = roomLeft[i] - 1;
      for (int r = 1; r < n - 1; r++) {
        cells[r * n + wall] = GridLevel.WALL;
      }
      cells[(1 + random.nextInt(n - 2)) * n + wall] = (char) ('A' + colours[i - 1]);
    }
    int agent = take(cells, n, roomLeft[0], roomLeft, 0, random);
    // The agent's cell stays floor in the drawing; mark it so no key lands on it.
    cells[agent] = GridLevel.AGENT;
    for (int i = 0; i < pairs; i++) {
      int p = take(cells, n, roomLeft[0], roomLeft, i, random);
      cells[p] = (char) ('a' + colours[i]);
    }
    cells[take(cells, n, roomLeft[pairs], roomLeft, pairs, random)] = GridLevel.GOAL;
    cells[agent] = GridLevel.FLOOR;
    return symmetric(n, cells, agent, random.nextInt(8));
  }

  /**
   * The first column of each of the {@code pairs + 1} rooms, followed by {@code n - 1} (the right
   * wall). The columns left over after one per room and one per dividing wall go to random rooms.
   */
  private static int[] roomLefts(int n, int pairs, SplittableRandom random) {
    int[] widths = new int[pairs + 1];
    Arrays.fill(widths, 1);
    for (int spare = n - 3 - 2 * pairs; spare > 0; spare--) {
      widths[random.nextInt(pairs + 1)]++;
    }
    int[] left = new int[pairs + 2];
    left[0] = 1;
    for (int i = 0; i <= pairs; i++) {
      left[i + 1] = left[i] + widths[i] + 1;
    }
    return left;
  }

  private static int[] shuffled(int k, SplittableRandom random) {
    int[] out = new int[k];
    Arrays.setAll(out, i -> i);
    for (int i = k - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /**
   * A random free floor cell in columns from {@code fromColumn} up to the end of room {@code
   * lastRoom}.
   */
  private static int take(
      char[] cells, int n, int fromColumn, int[] roomLeft, int lastRoom, SplittableRandom random) {
    int toColumn = roomLeft[lastRoom + 1] - 2;
    List<Integer> free = new ArrayList<>();
    for (int r = 1; r < n - 1; r++) {
      for (int c = fromColumn; c <= toColumn; c++) {
        if (cells[r * n + c] == GridLevel.FLOOR) {
          free.add(r * n + c);
        }
      }
    }
    return free.get(random.nextInt(free.size()));
  }

  /** Transposes when bit 2 is set, then flips rows (bit 0) and columns (bit 1). */
  private static GridLevel symmetric(int n, char[] cells, int start, int symmetry) {
    char[] out = new char[cells.length];
    int newStart = -1;
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < n; c++) {
        int tr = (symmetry & 4) != 0 ? c : r;
        int tc = (symmetry & 4) != 0 ? r : c;
        tr = (symmetry & 1) != 0 ? n - 1 - tr : tr;
        tc = (symmetry & 2) != 0 ? n - 1 - tc : tc;
        out[tr * n + tc] = cells[r * n + c];
        if (r * n + c == start) {
          newStart = tr * n + tc;
        }
      }
    }
    return GridLevel.of(n, n, out, newStart);
  }
}
