package verity.learner.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpdateScheduleTest {

  @Test
  void shouldCoverEveryTrajectoryOncePerEpochInShuffledMinibatches() {
    UpdateSchedule s = new UpdateSchedule(3, 4, 5);
    List<int[]> parts = s.minibatchesOf(10, 0);
    assertEquals(12, parts.size());
    int[][] epochs = new int[3][];
    for (int e = 0; e < 3; e++) {
      int[] seen = new int[0];
      for (int m = 0; m < 4; m++) {
        int[] part = parts.get(e * 4 + m);
        assertEquals(m < 2 ? 3 : 2, part.length, "10 into 4: 3, 3, 2, 2");
        int[] joined = Arrays.copyOf(seen, seen.length + part.length);
        System.arraycopy(part, 0, joined, seen.length, part.length);
        seen = joined;
      }
      epochs[e] = seen.clone();
      Arrays.sort(seen);
      assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, seen);
    }
    assertFalse(Arrays.equals(epochs[0], epochs[1]), "shuffled anew each epoch");
    assertArrayEquals(
        parts.get(5), s.minibatchesOf(10, 0).get(5), "same seed and optimizer step, same order");
    assertFalse(
        Arrays.equals(parts.get(0), s.minibatchesOf(10, 12).get(0)), "the next batch differs");
  }

  @Test
  void shouldKeepTheBatchWholeAndInOrderWithOneMinibatch() {
    List<int[]> parts = new UpdateSchedule(2, 1, 5).minibatchesOf(4, 9);
    assertEquals(2, parts.size());
    assertArrayEquals(new int[] {0, 1, 2, 3}, parts.get(0));
    assertArrayEquals(new int[] {0, 1, 2, 3}, parts.get(1));
  }

  @Test
  void shouldRefuseNoUpdates() {
    assertThrows(IllegalArgumentException.class, () -> new UpdateSchedule(0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new UpdateSchedule(1, 0, 1));
  }
}
