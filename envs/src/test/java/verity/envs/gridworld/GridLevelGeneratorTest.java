package verity.envs.gridworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GridLevelGeneratorTest {

  @Test
  void shouldRebuildTheSameLevelFromTheSameSeed() {
    for (int size = GridLevelGenerator.MIN_SIZE; size <= GridLevelGenerator.MAX_SIZE; size++) {
      int pairs = GridLevelGenerator.maxPairs(size);
      assertEquals(
          GridLevelGenerator.generate(size, pairs, 12345),
          GridLevelGenerator.generate(size, pairs, 12345));
    }
    assertNotEquals(GridLevelGenerator.generate(16, 3, 1), GridLevelGenerator.generate(16, 3, 2));
  }

  @Test
  void shouldGenerateOnlySolvableLevels() {
    for (int size = GridLevelGenerator.MIN_SIZE; size <= GridLevelGenerator.MAX_SIZE; size++) {
      for (int pairs = 0; pairs <= GridLevelGenerator.maxPairs(size); pairs++) {
        for (long seed = 0; seed < 40; seed++) {
          GridLevel level = GridLevelGenerator.generate(size, pairs, seed);
          assertTrue(GridSolver.solve(level).isPresent(), () -> "unsolvable:\n" + level);
        }
      }
    }
  }

  @Test
  void shouldPlaceEveryPairOnTheWayToTheGoal() {
    for (long seed = 0; seed < 100; seed++) {
      GridLevel level = GridLevelGenerator.generate(12, 3, seed);
      assertEquals(3, level.pairs());
      assertEquals(12, level.height());
      for (int colour = 0; colour < 3; colour++) {
        String[] rows = level.rows();
        int key = level.keyAt(colour);
        char[] row = rows[key / 12].toCharArray();
        row[key % 12] = '.';
        rows[key / 12] = new String(row);
        GridLevel keyless = GridLevel.parse(rows);
        assertTrue(GridSolver.solve(keyless).isEmpty(), () -> "key not needed:\n" + level);
      }
    }
  }

  @Test
  void shouldRefuseSizesAndPairCountsThatDoNotFit() {
    assertThrows(IllegalArgumentException.class, () -> GridLevelGenerator.generate(4, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> GridLevelGenerator.generate(17, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> GridLevelGenerator.generate(6, 2, 1));
    assertEquals(4, GridLevelGenerator.maxPairs(16));
  }
}
