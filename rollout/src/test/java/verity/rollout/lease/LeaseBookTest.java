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
import verity.rollout.lease.LeaseEvent.ClaimFloorRaised;
import verity.rollout.lease.LeaseEvent.ExpiryCause;
import verity.rollout.lease.LeaseEvent.LeasesClaimed;
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
            new LeasesClaimed(leases(5), 1),
            new LeasesSettled(leases(1, 3), Settlement.CONSUMED),
            new LeasesExpired(leases(1, 2), ExpiryCause.TIMEOUT),
            new LeasesReopened(leases(4, 9), tasks("d", "z")),
            new LeasesExpired(leases(5), ExpiryCause.CLAIM_RELEASED),
            new ClaimFloorRaised(2));
    LeaseBook.Outlook outlook = book.after(pending);
    int open = outlook.openLeases();
    List<TaskId> queue = drain(outlook.reissueQueue());
    pending.forEach(book::apply);
    assertEquals(book.openLeases(), open);
    assertEquals(book.reissueQueue(), queue);
    assertEquals(tasks("c", "b", "d", "z", "e"), book.reissueQueue());
  }

  static List<TaskId> drain(Iterator<TaskId> it) {
    List<TaskId> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void snapshotRoundTripKeepsEveryField() {
    LeaseBook book = new LeaseBook();
    book.apply(new LeasesIssued(lease(1), tasks("a", "b", "c", "d", "e"), 0, "w"));
    book.apply(new LeasesExpired(leases(2), ExpiryCause.TIMEOUT));
    book.apply(new LeasesReopened(leases(3), tasks("c")));
    book.apply(new LeasesClaimed(leases(4, 1), 7));
    book.apply(new ClaimFloorRaised(6));
    book.apply(new PauseChanged(true, "op"));
    LeaseBookSnapshot snapshot = book.toSnapshot();
    assertEquals(
        new LeaseBookSnapshot(
            lease(6),
            5,
            List.of(
                new LeaseBookSnapshot.OpenLease(lease(1), task("a")),
                new LeaseBookSnapshot.OpenLease(lease(4), task("d")),
                new LeaseBookSnapshot.OpenLease(lease(5), task("e"))),
            List.of(
                new LeaseBookSnapshot.LeaseClaim(lease(1), 7),
                new LeaseBookSnapshot.LeaseClaim(lease(4), 7)),
            6,
            tasks("b", "c"),
            leases(3),
            true),
        snapshot);
    assertEquals(snapshot, LeaseBookSnapshot.ADAPTER.toJournal(book), "what the store keeps");
    LeaseBook back = LeaseBookSnapshot.ADAPTER.fromJournal(snapshot);
    assertEquals(snapshot, back.toSnapshot());
    assertEquals(leases(1, 4, 5), back.openLeaseIds());
    assertEquals(Optional.of(7L), back.claimOf(lease(4)));
    assertEquals(leases(5), back.unclaimedLeaseIds());
    assertTrue(back.isReopened(lease(3)));
    // The restored book goes on as the original would.
    List<LeaseEvent> next =
        List.of(
            new LeasesIssued(lease(6), tasks("b", "f"), 1, "w"),
            new LeasesExpired(leases(5), ExpiryCause.RETURNED_BY_WORKER));
    next.forEach(book::apply);
    next.forEach(back::apply);
    assertEquals(book.toSnapshot(), back.toSnapshot());
    assertEquals(
        new LeaseBook.ClaimDecision(leases(4), leases(5), Optional.empty()),
        back.claim(leases(4, 5), 7));
    assertEquals(book.releaseClaims(8), back.releaseClaims(8));
  }

  // --- claims ----------------------------------------------------------------------------------

  @Test
  void aClaimOfAnOpenUnclaimedLeaseIsGrantedAndJournaled() {
    LeaseBook book = threeOpen();
    LeaseBook.ClaimDecision d = book.claim(leases(1, 2, 2), 4);
    assertEquals(leases(1, 2), d.granted());
    assertEquals(List.of(), d.refused());
    assertEquals(Optional.of(new LeasesClaimed(leases(1, 2), 4)), d.event());
    book.apply(d.event().orElseThrow());
    assertEquals(Optional.of(4L), book.claimOf(lease(2)));
    assertTrue(book.isOpen(lease(2)), "a claimed lease is still open");
    assertEquals(leases(3), book.unclaimedLeaseIds());
  }

  @Test
  void aRepeatedClaimIsGrantedAgainWithoutAnEvent() {
    LeaseBook book = threeOpen().apply(new LeasesClaimed(leases(1), 4));
    LeaseBook.ClaimDecision d = book.claim(leases(1, 3), 4);
    assertEquals(leases(1, 3), d.granted());
    assertEquals(Optional.of(new LeasesClaimed(leases(3), 4)), d.event(), "only the new one");
  }

  @Test
  void aClaimIsRefusedForAClosedLeaseOrAnotherEpochsOrBelowTheFloor() {
    LeaseBook book = threeOpen().apply(new LeasesClaimed(leases(1), 4));
    book.apply(new LeasesSettled(leases(2), Settlement.CONSUMED));
    LeaseBook.ClaimDecision d = book.claim(leases(1, 2, 3, 9), 5);
    assertEquals(leases(3), d.granted());
    assertEquals(leases(1, 2, 9), d.refused(), "another epoch's, settled, never leased");
    book.apply(new ClaimFloorRaised(6));
    assertEquals(
        new LeaseBook.ClaimDecision(List.of(), leases(3), Optional.empty()),
        book.claim(leases(3), 5),
        "epoch 5 is below the floor");
    assertEquals(leases(3), book.claim(leases(3), 6).granted(), "the floor's epoch may claim");
  }

  @Test
  void aClaimedLeaseDoesNotExpireOnATimeoutARecoveryOrAReturn() {
    LeaseBook book = threeOpen().apply(new LeasesClaimed(leases(1, 2), 4));
    for (ExpiryCause cause :
        List.of(
            ExpiryCause.TIMEOUT, ExpiryCause.OPEN_AT_RECOVERY, ExpiryCause.RETURNED_BY_WORKER)) {
      assertEquals(
          Optional.of(new LeasesExpired(leases(3), cause)), book.expire(leases(1, 2, 3), cause));
    }
  }

  @Test
  void settlingOrReopeningAClaimedLeaseClosesItAndDropsItsClaim() {
    LeaseBook book = threeOpen().apply(new LeasesClaimed(leases(1, 2), 4));
    LeasesSettled settled = book.settle(leases(1), Settlement.CONSUMED).orElseThrow();
    book.apply(settled);
    book.apply(book.reopen(leases(2), tasks("b")).orElseThrow());
    assertEquals(leases(3), book.openLeaseIds());
    assertEquals(Optional.empty(), book.claimOf(lease(1)));
    assertEquals(Optional.empty(), book.claimOf(lease(2)));
    assertEquals(List.of(new ClaimFloorRaised(5)), book.releaseClaims(5), "nothing to release");
  }

  @Test
  void releasingClaimsExpiresTheLeasesOfEarlierEpochsOnceAndRaisesTheFloor() {
    LeaseBook book = new LeaseBook();
    book.apply(new LeasesIssued(lease(1), tasks("a", "b", "c", "d"), 0, "w"));
    book.apply(new LeasesClaimed(leases(3), 1));
    book.apply(new LeasesClaimed(leases(1), 2));
    book.apply(new LeasesClaimed(leases(2), 3));
    List<LeaseEvent> events = book.releaseClaims(3);
    assertEquals(
        List.of(
            new LeasesExpired(leases(1, 3), ExpiryCause.CLAIM_RELEASED), new ClaimFloorRaised(3)),
        events);
    events.forEach(book::apply);
    assertEquals(leases(2, 4), book.openLeaseIds());
    assertEquals(tasks("a", "c"), book.reissueQueue());
    assertEquals(3, book.claimFloor());
    assertEquals(List.of(), book.releaseClaims(3), "a repeat journals nothing");
    assertEquals(List.of(), book.releaseClaims(2), "nor does an older release");
  }

  @Test
  void returnedLeasesRequeueTheirTasksAtTheFrontInTheirOrder() {
    LeaseBook book = new LeaseBook();
    book.apply(new LeasesIssued(lease(1), tasks("a", "b", "c", "d"), 0, "w"));
    book.apply(new LeasesExpired(leases(1), ExpiryCause.TIMEOUT));
    List<LeaseEvent> pending =
        List.of(new LeasesExpired(leases(3, 2), ExpiryCause.RETURNED_BY_WORKER));
    List<TaskId> outlook = drain(book.after(pending).reissueQueue());
    pending.forEach(book::apply);
    assertEquals(tasks("c", "b", "a"), book.reissueQueue());
    assertEquals(book.reissueQueue(), outlook);
  }
}
