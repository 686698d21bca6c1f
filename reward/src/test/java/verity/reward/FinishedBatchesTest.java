package verity.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A verifier recognises the batches it finished, per worker, in bounded memory. */
class FinishedBatchesTest {

  @Test
  void shouldKnowEveryBatchUpToTheHighestFinishedOfEachWorker() {
    FinishedBatches<String> finished = new FinishedBatches<>(8);
    finished.add("a", 3);
    finished.add("a", 2); // a batch scored after a later one: the highest still stands
    finished.add("b", 1);

    assertTrue(finished.contains("a", 3));
    assertTrue(finished.contains("a", 1));
    assertFalse(finished.contains("a", 4), "a later batch of the same worker is new");
    assertTrue(finished.contains("b", 1));
    assertFalse(finished.contains("b", 2));
    assertFalse(finished.contains("c", 1), "another worker's numbers are its own");
  }

  @Test
  void shouldForgetTheWorkerHeardFromLeastRecentlyBeyondItsBound() {
    FinishedBatches<String> finished = new FinishedBatches<>(2);
    finished.add("a", 1);
    finished.add("b", 1);
    finished.contains("a", 1); // a is asked about again: b is now the least recent
    finished.add("c", 1);

    assertEquals(2, finished.workers());
    assertTrue(finished.contains("a", 1));
    assertFalse(finished.contains("b", 1));
    assertTrue(finished.contains("c", 1));
  }
}
