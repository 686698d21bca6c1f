package verity.rollout.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.rollout.lease.LeaseEvent.ExpiryCause;
import verity.rollout.lease.LeaseEvent.LeasesExpired;
import verity.rollout.lease.LeaseEvent.LeasesIssued;
import verity.rollout.lease.LeaseEvent.LeasesReopened;
import verity.rollout.lease.LeaseEvent.LeasesSettled;
import verity.rollout.lease.LeaseEvent.PauseChanged;

class LeaseBookTest {
  static LeaseId lease(long id) {
    return new LeaseId(id);
  }

  static TaskId task(String id) {
    return new TaskId(id);
  }

  static List<LeaseId> leases(long... ids) {
    List<LeaseId> out = new ArrayList<>();
    for (long id : ids) {
      out.add(lease(id));
    }
    return out;
  }

  static List<TaskId> tasks(String... ids) {
    return List.of(ids).stream().map(TaskId::new).toList();
  }

  /** A book with leases 1..3 on a, b, c open. */
  static LeaseBook threeOpen() {
    return new LeaseBook().apply(new LeasesIssued(lease(1), tasks("a", "b", "c"), 0, "w"));
  }

  @Test
  void issuedLeasesOpenInLeaseOrderAndAdvanceTheNextLeaseId() {
    LeaseBook book = threeOpen();
    assertEquals(leases(1, 2, 3), book.openLeaseIds());
    assertEquals(Optional.of(task("b")), book.taskOf(lease(2)));
    assertEquals(lease(4), book.nextLease());
    assertEquals(3, book.drawn());
  }

  @Test
  void issuingTakesReissuedTasksFromTheFrontOfTheQueueAndCountsOnlyFreshOnesAsDrawn() {
    LeaseBook book = threeOpen().apply(new LeasesExpired(leases(1, 2), ExpiryCause.TIMEOUT));
    assertEquals(tasks("a", "b"), book.reissueQueue());
    book.apply(new LeasesIssued(lease(4), tasks("a", "d"), 1, "w"));
    assertEquals(tasks("b"), book.reissueQueue());
    assertEquals(4, book.drawn());
    assertEquals(leases(3, 4, 5), book.openLeaseIds());
  }

  @Test
  void settledLeasesCloseWithoutRequeueingTheirTasks() {
    LeaseBook book = threeOpen().apply(new LeasesSettled(leases(2), Settlement.CONSUMED));
    assertEquals(leases(1, 3), book.openLeaseIds());
    assertTrue(book.reissueQueue().isEmpty());
  }

  @Test
  void expiredLeasesRequeueTheirTasksOnceAtTheBack() {
    LeaseBook book = threeOpen().apply(new LeasesExpired(leases(3), ExpiryCause.TIMEOUT));
    book.apply(new LeasesExpired(leases(1), ExpiryCause.OPEN_AT_RECOVERY));
    book.apply(new LeasesExpired(leases(1), ExpiryCause.TIMEOUT)); // closed already: nothing
    assertEquals(tasks("c", "a"), book.reissueQueue());
    assertEquals(leases(2), book.openLeaseIds());
  }

  @Test
  void reopenedLeasesCloseAndRequeueTheGivenTasks() {
    LeaseBook book = threeOpen().apply(new LeasesSettled(leases(1), Settlement.CONSUMED));
    book.apply(new LeasesReopened(leases(1, 2), tasks("a", "b")));
    assertEquals(leases(3), book.openLeaseIds());
    assertEquals(tasks("a", "b"), book.reissueQueue());
    assertTrue(book.isReopened(lease(1)));
    assertTrue(book.isReopened(lease(2)));
    assertFalse(book.isReopened(lease(3)));
  }

  @Test
  void pauseChangesAreApplied() {
    LeaseBook book = new LeaseBook().apply(new PauseChanged(true, "op"));
    assertTrue(book.paused());
    assertFalse(book.apply(new PauseChanged(false, "op")).paused());
  }

  @Test
  void settlementDecisionNamesOnlyOpenLeasesOnceAndNothingForARepeat() {
    LeaseBook book = threeOpen().apply(new LeasesExpired(leases(3), ExpiryCause.TIMEOUT));
    LeasesSettled settled =
        book.settle(leases(2, 2, 3, 9), Settlement.REJECTED_STALE).orElseThrow();
    assertEquals(new LeasesSettled(leases(2), Settlement.REJECTED_STALE), settled);
    book.apply(settled);
    assertEquals(Optional.empty(), book.settle(leases(2), Settlement.REJECTED_STALE));
  }

  @Test
  void expiryDecisionNamesOnlyOpenLeases() {
    LeaseBook book = threeOpen().apply(new LeasesSettled(leases(1), Settlement.CONSUMED));
    assertEquals(
        Optional.of(new LeasesExpired(leases(2), ExpiryCause.RETURNED_BY_WORKER)),
        book.expire(leases(1, 2, 7), ExpiryCause.RETURNED_BY_WORKER));
    assertEquals(Optional.empty(), book.expire(leases(1, 7), ExpiryCause.TIMEOUT));
  }

  @Test
  void reopenDecisionNamesEachLeaseOnceEver() {
    LeaseBook book = threeOpen();
    LeasesReopened first = book.reopen(leases(1, 1), tasks("a", "a")).orElseThrow();
    assertEquals(new LeasesReopened(leases(1), tasks("a")), first);
    book.apply(first);
    assertEquals(Optional.empty(), book.reopen(leases(1), tasks("a")));
    assertEquals(
        Optional.of(new LeasesReopened(leases(2), tasks("b"))),
        book.reopen(leases(1, 2), tasks("a", "b")));
  }

  @Test
  void outlookIsTheBookAfterThePendingEvents() {
    LeaseBook book = threeOpen().apply(new LeasesExpired(leases(3), ExpiryCause.TIMEOUT));
    book.apply(new LeasesIssued(lease(4), tasks("d", "e"), 0, "w")); // open 1, 2, 4, 5; queue c
    List<LeaseEvent> pending =
        List.of(
            new LeasesSettled(leases(1, 3), Settlement.CONSUMED),
            new LeasesExpired(leases(1, 2), ExpiryCause.TIMEOUT),
            new LeasesReopened(leases(4, 9), tasks("d", "z")));
    LeaseBook.Outlook outlook = book.after(pending);
    int open = outlook.openLeases();
    List<TaskId> queue = drain(outlook.reissueQueue());
    pending.forEach(book::apply);
    assertEquals(book.openLeases(), open);
    assertEquals(book.reissueQueue(), queue);
    assertEquals(tasks("c", "b", "d", "z"), book.reissueQueue());
  }

  static List<TaskId> drain(Iterator<TaskId> it) {
    List<TaskId> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void snapshotRoundTripKeepsEveryField() {
    LeaseBook book = new LeaseBook();
    book.apply(new LeasesIssued(lease(1), tasks("a", "b", "c", "d"), 0, "w"));
    book.apply(new LeasesExpired(leases(2), ExpiryCause.TIMEOUT));
    book.apply(new LeasesReopened(leases(3), tasks("c")));
    book.apply(new PauseChanged(true, "op"));
    LeaseBookSnapshot snapshot = book.toSnapshot();
    assertEquals(
        new LeaseBookSnapshot(
            lease(5),
            4,
            List.of(
                new LeaseBookSnapshot.OpenLease(lease(1), task("a")),
                new LeaseBookSnapshot.OpenLease(lease(4), task("d"))),
            tasks("b", "c"),
            leases(3),
            true),
        snapshot);
    LeaseBook back = LeaseBook.fromSnapshot(snapshot);
    assertEquals(snapshot, back.toSnapshot());
    assertEquals(leases(1, 4), back.openLeaseIds());
    assertTrue(back.isReopened(lease(3)));
    // The restored book goes on as the original would.
    LeasesIssued next = new LeasesIssued(lease(5), tasks("b", "e"), 1, "w");
    assertEquals(book.apply(next).toSnapshot(), back.apply(next).toSnapshot());
  }
}
