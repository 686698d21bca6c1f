package verity.envs.gridworld;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Finds a shortest move sequence to the goal by breadth-first search over (position, keys held,
 * doors opened), stepping through {@link GridDynamics}. Moves are tried in {@link GridAction}
 * order, so the same level always gets the same path.
 */
public final class GridSolver {
  private static final GridAction[] ACTIONS = GridAction.values();

  private GridSolver() {}

  /** A shortest path to the goal, or empty when the goal cannot be reached. */
  public static Optional<List<GridAction>> solve(GridLevel level) {
    GridDynamics dynamics = new GridDynamics(level);
    int bits = level.pairs();
    int states = level.height() * level.width() << (2 * bits);
    int[] parent = new int[states];
    byte[] move = new byte[states];
    Arrays.fill(parent, -2);
    GridState[] queue = new GridState[states];
    int head = 0;
    int tail = 0;
    GridState start = dynamics.start();
    parent[index(start, bits)] = -1;
    queue[tail++] = start;
    while (head < tail) {
      GridState s = queue[head++];
      if (dynamics.atGoal(s)) {
        return Optional.of(path(index(s, bits), parent, move));
      }
      int from = index(s, bits);
      for (GridAction a : ACTIONS) {
        GridState n = dynamics.next(s, a);
        int i = index(n, bits);
        if (parent[i] == -2) {
          parent[i] = from;
          move[i] = (byte) a.ordinal();
          queue[tail++] = n;
        }
      }
    }
    return Optional.empty();
  }

  private static int index(GridState s, int bits) {
    return ((s.position() << bits | s.keys()) << bits) | s.doors();
  }

  private static List<GridAction> path(int end, int[] parent, byte[] move) {
    List<GridAction> out = new ArrayList<>();
    for (int i = end; parent[i] >= 0; i = parent[i]) {
      out.add(ACTIONS[move[i]]);
    }
    Collections.reverse(out);
    return out;
  }
}
