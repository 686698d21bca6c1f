package verity.rollout.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verity.rollout.lease.LeaseBookTest.lease;
import static verity.rollout.lease.LeaseBookTest.leases;
import static verity.rollout.lease.LeaseBookTest.tasks;

import java.util.List;
import org.junit.jupiter.api.Test;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.rollout.lease.LeaseAllocator.Demand;
import verity.rollout.lease.LeaseEvent.ExpiryCause;
import verity.rollout.lease.LeaseEvent.LeasesExpired;
import verity.rollout.lease.LeaseEvent.LeasesIssued;

class LeaseAllocatorTest {
  /** Draws t1, t2, ... */
  static TaskGenerator counting() {
    int[] n = {0};
    return () -> {
      String id = "t" + ++n[0];
      return new Task() {
        @Override
        public String id() {
          return id;
        }

        @Override
        public String prompt() {
          return "";
        }
      };
    };
  }

  @Test
  void servesRequestsInOrderUntilTheWindowIsFull() {
    LeaseBook book = new LeaseBook();
    List<LeasesIssued> issued =
        new LeaseAllocator(4)
            .allocate(
                book.after(List.of()),
                book.nextLease(),
                List.of(new Demand(3, "a"), new Demand(3, "b"), new Demand(1, "c")),
                false,
                counting());
    assertEquals(
        List.of(
            new LeasesIssued(lease(1), tasks("t1", "t2", "t3"), 0, "a"),
            new LeasesIssued(lease(4), tasks("t4"), 0, "b")),
        issued,
        "the second request gets the one slot left, the third waits");
  }

  @Test
  void countsTheLeasesStillOpenAgainstTheWindow() {
    LeaseBook book =
        new LeaseBook().apply(new LeasesIssued(lease(1), tasks("a", "b", "c"), 0, "w"));
    LeaseAllocator allocator = new LeaseAllocator(3);
    assertTrue(
        allocator
            .allocate(
                book.after(List.of()),
                book.nextLease(),
                List.of(new Demand(1, "w")),
                false,
                counting())
            .isEmpty());
  }

  @Test
  void leasesTasksWaitingToBeLeasedAgainBeforeDrawingNewOnes() {
    LeaseBook book =
        new LeaseBook().apply(new LeasesIssued(lease(1), tasks("a", "b", "c"), 0, "w"));
    book.apply(new LeasesExpired(leases(1), ExpiryCause.TIMEOUT));
    // The expiry of lease 2 is decided and not yet journaled: its task counts, after a's.
    List<LeaseEvent> pending = List.of(new LeasesExpired(leases(2), ExpiryCause.TIMEOUT));
    List<LeasesIssued> issued =
        new LeaseAllocator(5)
            .allocate(
                book.after(pending),
                book.nextLease(),
                List.of(new Demand(2, "x"), new Demand(2, "y")),
                false,
                counting());
    assertEquals(
        List.of(
            new LeasesIssued(lease(4), tasks("a", "b"), 2, "x"),
            new LeasesIssued(lease(6), tasks("t1", "t2"), 0, "y")),
        issued);
  }

  @Test
  void servesNothingWhilePaused() {
    LeaseBook book = new LeaseBook();
    assertTrue(
        new LeaseAllocator(4)
            .allocate(
                book.after(List.of()),
                book.nextLease(),
                List.of(new Demand(1, "w")),
                true,
                counting())
            .isEmpty());
  }

  @Test
  void refusesARequestAheadUnlessTheWindowHasRoomForAllOfItAndNobodyElseWaits() {
    LeaseAllocator allocator = new LeaseAllocator(4);
    assertFalse(allocator.refusesAhead(3, 1, false, false, false), "room for all 3");
    assertTrue(allocator.refusesAhead(3, 2, false, false, false), "room for 2 of 3");
    assertTrue(allocator.refusesAhead(1, 0, true, false, false), "another request waits");
    assertTrue(allocator.refusesAhead(1, 0, false, true, false), "paused");
    assertTrue(allocator.refusesAhead(1, 0, false, false, true), "recovering");
  }
}
