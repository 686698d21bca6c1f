package verity.rollout.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static verity.rollout.lease.LeaseBookTest.lease;
import static verity.rollout.lease.LeaseBookTest.leases;
import static verity.rollout.lease.LeaseBookTest.tasks;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.rollout.lease.LeaseEvent.ExpiryCause;
import verity.rollout.lease.LeaseEvent.LeasesClaimed;
import verity.rollout.lease.LeaseEvent.LeasesExpired;
import verity.rollout.lease.LeaseEvent.LeasesIssued;
import verity.rollout.lease.LeaseEvent.LeasesReopened;
import verity.rollout.lease.LeaseEvent.LeasesSettled;

class LeaseDeadlinesTest {
  static final long SECOND = 1_000_000_000L;

  @Test
  void anIssuedLeaseIsDueOnlyAfterTheTimeoutInLeaseOrder() {
    LeaseDeadlines deadlines = new LeaseDeadlines(Duration.ofSeconds(10));
    deadlines.track(new LeasesIssued(lease(11), tasks("a", "b"), 0, "w1"), 5 * SECOND);
    deadlines.track(new LeasesIssued(lease(3), tasks("c"), 0, "w2"), 0);
    assertEquals(List.of(), deadlines.due(10 * SECOND));
    assertEquals(leases(3), deadlines.due(10 * SECOND + 1));
    assertEquals(leases(3, 11, 12), deadlines.due(16 * SECOND));
    assertEquals(Optional.of("w1"), deadlines.workerOf(lease(12)));
    assertEquals(Optional.of("w2"), deadlines.workerOf(lease(3)));
  }

  @Test
  void aLeaseThatClosesHasNoDeadline() {
    LeaseDeadlines deadlines = new LeaseDeadlines(Duration.ofSeconds(1));
    deadlines.track(new LeasesIssued(lease(1), tasks("a", "b", "c", "d", "e", "f"), 0, "w"), 0);
    deadlines.track(new LeasesSettled(leases(1), Settlement.CONSUMED), 0);
    deadlines.track(new LeasesExpired(leases(2), ExpiryCause.TIMEOUT), 0);
    deadlines.track(new LeasesReopened(leases(3), tasks("c")), 0);
    deadlines.track(new LeasesClaimed(leases(6), 1), 0); // a claimed lease never expires
    deadlines.drop(leases(4));
    assertEquals(leases(5), deadlines.due(2 * SECOND));
    assertEquals(1, deadlines.size());
    assertEquals(Optional.empty(), deadlines.workerOf(lease(1)));
  }

  @Test
  void aWorkerHoldsTheUnclaimedOpenLeasesIssuedToIt() {
    LeaseDeadlines deadlines = new LeaseDeadlines(Duration.ofSeconds(1));
    deadlines.track(new LeasesIssued(lease(1), tasks("a", "b", "c"), 0, "w1"), 0);
    deadlines.track(new LeasesIssued(lease(4), tasks("d"), 0, "w2"), 0);
    deadlines.track(new LeasesClaimed(leases(2), 1), 0);
    assertEquals(leases(3, 1), deadlines.heldBy(leases(3, 4, 2, 1, 9), "w1"));
  }
}
