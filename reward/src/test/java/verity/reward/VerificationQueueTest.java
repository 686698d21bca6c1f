package verity.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import verity.actors.protocol.ScoredTrajectory;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.reward.VerificationQueue.Item;
import verity.reward.VerificationQueue.Offer;

/** A verifier's taken batches: bounded, taken once per (worker, batch), passed on when complete. */
class VerificationQueueTest {
  static final Verdict CORRECT = new Verdict(1, Verdict.Reason.CORRECT, 1);
  static final Verdict WRONG = new Verdict(0, Verdict.Reason.WRONG, 1);

  static List<Trajectory> batch(int n) {
    return RewardVerifierTest.ProgramSuite.trajectories("arith", n);
  }

  static List<Item<String>> drain(VerificationQueue<String> queue) {
    List<Item<String>> items = new ArrayList<>();
    for (Optional<Item<String>> i = queue.next(); i.isPresent(); i = queue.next()) {
      items.add(i.get());
    }
    return items;
  }

  @Test
  void shouldPassABatchOnInItsOwnOrderOnceItsLastTrajectoryIsScored() {
    VerificationQueue<String> queue = new VerificationQueue<>(10);
    List<Trajectory> trajectories = batch(3);
    assertEquals(Offer.TAKEN, queue.offer("w", 1, trajectories, false));
    assertEquals(3, queue.held());
    List<Item<String>> items = drain(queue);
    assertEquals(3, items.size());
    assertEquals(0, queue.queued());

    assertEquals(Optional.empty(), queue.scored(items.get(2), WRONG));
    assertEquals(Optional.empty(), queue.scored(items.get(0), CORRECT));
    List<ScoredTrajectory> done = queue.scored(items.get(1), CORRECT).orElseThrow();

    assertEquals(trajectories, done.stream().map(ScoredTrajectory::trajectory).toList());
    assertEquals(
        List.of(CORRECT, CORRECT, WRONG), done.stream().map(ScoredTrajectory::verdict).toList());
    assertEquals(0, queue.held(), "a finished batch is no longer held");
  }

  @Test
  void shouldTakeABatchOncePerWorkerWhileHeldAndAfterItFinished() {
    VerificationQueue<String> queue = new VerificationQueue<>(10);
    assertEquals(Offer.TAKEN, queue.offer("w", 1, batch(1), false));
    assertEquals(Offer.TAKEN_BEFORE, queue.offer("w", 1, batch(1), false));
    assertEquals(1, queue.held(), "offered again, not queued twice");
    assertEquals(Offer.TAKEN, queue.offer("v", 1, batch(1), false), "another worker's batch 1");

    for (Item<String> item : drain(queue)) {
      queue.scored(item, CORRECT);
    }
    assertEquals(Offer.TAKEN_BEFORE, queue.offer("w", 1, batch(1), false));
    assertEquals(Offer.TAKEN_BEFORE, queue.offer("w", 1, batch(1), true), "even when paused");
    assertEquals(0, queue.queued());
  }

  @Test
  void shouldRefuseANewBatchWhilePausedOrWhenItDoesNotFit() {
    VerificationQueue<String> queue = new VerificationQueue<>(4);
    assertEquals(Offer.PAUSED, queue.offer("w", 1, batch(1), true));
    assertEquals(Offer.TAKEN, queue.offer("w", 1, batch(3), false));
    assertEquals(Offer.FULL, queue.offer("w", 2, batch(2), false));
    assertEquals(Offer.TAKEN, queue.offer("w", 2, batch(1), false), "one more fits exactly");
    assertEquals(4, queue.held());
    assertEquals(4, queue.queued());
  }

  @Test
  void shouldCheckARetriedTrajectoryBeforeTheRestOfTheQueue() {
    VerificationQueue<String> queue = new VerificationQueue<>(10);
    queue.offer("w", 1, batch(2), false);
    Item<String> first = queue.next().orElseThrow();
    queue.retry(first);
    assertEquals(first, queue.next().orElseThrow());
    assertEquals(1, queue.next().orElseThrow().index());
    assertTrue(queue.next().isEmpty());
    assertEquals(2, queue.held(), "trajectories under a check are still held");
  }
}
