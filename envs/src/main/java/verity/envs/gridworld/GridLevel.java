package verity.envs.gridworld;

import java.util.Arrays;

/**
 * An immutable keys-and-doors level: a rectangle of walls ({@code #}), floor ({@code .}), one goal
 * ({@code G}), keys ({@code a}, {@code b}, ...) and the locked doors they open ({@code A}, {@code
 * B}, ...), with the agent's start ({@code @}, on floor). There is at most one key and one door of
 * each colour; outside the rectangle counts as wall.
 */
public final class GridLevel {
  /** Colours are letters {@code a..d}: more would need tokens the small policies do not have. */
  public static final int MAX_PAIRS = 4;

  static final char WALL = '#';
  static final char FLOOR = '.';
  static final char GOAL = 'G';
  static final char AGENT = '@';

  private final int height;
  private final int width;
  private final char[] cells;
  private final int start;
  private final int goal;
  private final int pairs;
  private final int[] keyAt;
  private final int[] doorAt;

  private GridLevel(int height, int width, char[] cells, int start) {
    this.height = height;
    this.width = width;
    this.cells = cells;
    this.start = start;
    this.keyAt = new int[MAX_PAIRS];
    this.doorAt = new int[MAX_PAIRS];
    Arrays.fill(keyAt, -1);
    Arrays.fill(doorAt, -1);
    int goalAt = -1;
    int colours = 0;
    for (int p = 0; p < cells.length; p++) {
      char c = cells[p];
      if (c == GOAL) {
        if (goalAt >= 0) {
          throw new IllegalArgumentException("more than one goal");
        }
        goalAt = p;
      } else if (isKey(c)) {
        colours = Math.max(colours, place(keyAt, c - 'a', p, "key") + 1);
      } else if (isDoor(c)) {
        colours = Math.max(colours, place(doorAt, c - 'A', p, "door") + 1);
      } else if (c != WALL && c != FLOOR) {
        throw new IllegalArgumentException("unknown cell '" + c + "'");
      }
    }
    if (goalAt < 0) {
      throw new IllegalArgumentException("no goal");
    }
    if (cells[start] != FLOOR) {
      throw new IllegalArgumentException("the agent must start on floor");
    }
    this.goal = goalAt;
    this.pairs = colours;
  }

  private static int place(int[] at, int colour, int position, String what) {
    if (at[colour] >= 0) {
      throw new IllegalArgumentException("more than one " + what + " of colour " + colour);
    }
    at[colour] = position;
    return colour;
  }

  static boolean isKey(char c) {
    return c >= 'a' && c < 'a' + MAX_PAIRS;
  }

  static boolean isDoor(char c) {
    return c >= 'A' && c < 'A' + MAX_PAIRS;
  }

  /**
   * Reads a level drawn as rows of equal length, with exactly one {@code @}.
   *
   * @throws IllegalArgumentException naming what is wrong with the drawing
   */
  public static GridLevel parse(String... rows) {
    if (rows.length == 0 || rows[0].isEmpty()) {
      throw new IllegalArgumentException("empty level");
    }
    int w = rows[0].length();
    char[] cells = new char[rows.length * w];
    int agent = -1;
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length() != w) {
        throw new IllegalArgumentException("row " + r + " is not " + w + " cells wide");
      }
      for (int c = 0; c < w; c++) {
        char ch = rows[r].charAt(c);
        if (ch == AGENT) {
          if (agent >= 0) {
            throw new IllegalArgumentException("more than one agent");
          }
          agent = r * w + c;
          ch = FLOOR;
        }
        cells[r * w + c] = ch;
      }
    }
    if (agent < 0) {
      throw new IllegalArgumentException("no agent");
    }
    return new GridLevel(rows.length, w, cells, agent);
  }

  /** A level from cells already laid out row-major; used by the generator. */
  static GridLevel of(int height, int width, char[] cells, int start) {
    return new GridLevel(height, width, cells.clone(), start);
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** The cell as drawn at the start of an episode (the agent's start reads as floor). */
  public char cell(int position) {
    return cells[position];
  }

  public int start() {
    return start;
  }

  public int goal() {
    return goal;
  }

  /** The number of colours in use: one more than the highest key or door colour. */
  public int pairs() {
    return pairs;
  }

  /** Where the key of this colour lies, or -1. */
  public int keyAt(int colour) {
    return keyAt[colour];
  }

  /** Where the door of this colour stands, or -1. */
  public int doorAt(int colour) {
    return doorAt[colour];
  }

  /** The level drawn as {@link #parse} reads it. */
  public String[] rows() {
    String[] out = new String[height];
    for (int r = 0; r < height; r++) {
      char[] row = Arrays.copyOfRange(cells, r * width, (r + 1) * width);
      if (start / width == r) {
        row[start % width] = AGENT;
      }
      out[r] = new String(row);
    }
    return out;
  }

  /**
   * A hash of the layout alone (walls, floor, keys, doors, goal), the start left out: levels that
   * differ only in where the agent starts share it.
   */
  public int layoutHashCode() {
    return 31 * Arrays.hashCode(cells) + width;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GridLevel l
        && l.height == height
        && l.width == width
        && l.start == start
        && Arrays.equals(l.cells, cells);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(cells) + start) + width;
  }

  @Override
  public String toString() {
    return String.join("\n", rows());
  }
}
