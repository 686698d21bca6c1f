package verity.rollout.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static verity.rollout.lease.LeaseBookTest.lease;
import static verity.rollout.lease.LeaseBookTest.leases;
import static verity.rollout.lease.LeaseBookTest.tasks;

import java.util.List;
import org.junit.jupiter.api.Test;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.ClaimAnswer;
import verity.actors.protocol.LeaseProtocol.ClaimLeases;
import verity.actors.protocol.LeaseProtocol.ClaimsReleased;
import verity.actors.protocol.LeaseProtocol.ReleaseClaims;
import verity.actors.protocol.LeaseProtocol.ReopenConfirmed;
import verity.actors.protocol.LeaseProtocol.ReopenLeases;
import verity.actors.protocol.LeaseProtocol.SettleLeases;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.protocol.LeaseProtocol.SettlementConfirmed;
import verity.rollout.lease.LeaseEvent.ClaimFloorRaised;
import verity.rollout.lease.LeaseEvent.ExpiryCause;
import verity.rollout.lease.LeaseEvent.LeasesClaimed;
import verity.rollout.lease.LeaseEvent.LeasesExpired;
import verity.rollout.lease.LeaseEvent.LeasesReopened;
import verity.rollout.lease.LeaseEvent.LeasesSettled;

/** What the learner's requests journal and what they are answered (no reply is sent here). */
class LearnerRequestsTest {

  /** The answer to {@code request}, its events applied to {@code book} as once journaled. */
  static LearnerRequests.Answer<?> answerAndApply(LeaseBook book, LeaseProtocol.Command request) {
    LearnerRequests.Answer<?> a = LearnerRequests.answer(book, request);
    a.events().forEach(book::apply);
    return a;
  }

  @Test
  void shouldConfirmASettlementWhetherOrNotItJournalsOne() {
    LeaseBook book = LeaseBookTest.threeOpen();
    SettleLeases settle = new SettleLeases(leases(1, 9), Settlement.CONSUMED, null);
    LearnerRequests.Answer<?> first = answerAndApply(book, settle);
    assertEquals(List.of(new LeasesSettled(leases(1), Settlement.CONSUMED)), first.events());
    assertEquals(new SettlementConfirmed(leases(1, 9)), first.reply());

    LearnerRequests.Answer<?> again = answerAndApply(book, settle);
    assertEquals(List.of(), again.events(), "journaled once");
    assertEquals(new SettlementConfirmed(leases(1, 9)), again.reply(), "confirmed every time");
  }

  @Test
  void shouldAnswerAClaimWithTheLeasesGrantedAndRefused() {
    LeaseBook book = LeaseBookTest.threeOpen();
    LearnerRequests.Answer<?> a = answerAndApply(book, new ClaimLeases(leases(1, 9), 3, null));
    assertEquals(List.of(new LeasesClaimed(leases(1), 3)), a.events());
    assertEquals(new ClaimAnswer(leases(1), leases(9)), a.reply());
  }

  @Test
  void shouldConfirmAReopenJournaledOnce() {
    LeaseBook book = LeaseBookTest.threeOpen();
    ReopenLeases reopen = new ReopenLeases(leases(2), tasks("b"), null);
    assertEquals(
        List.of(new LeasesReopened(leases(2), tasks("b"))), answerAndApply(book, reopen).events());
    LearnerRequests.Answer<?> again = answerAndApply(book, reopen);
    assertEquals(List.of(), again.events());
    assertEquals(new ReopenConfirmed(leases(2)), again.reply());
  }

  @Test
  void shouldExpireTheClaimsOfEarlierEpochsOnARelease() {
    LeaseBook book = LeaseBookTest.threeOpen();
    answerAndApply(book, new ClaimLeases(leases(1), 3, null));
    LearnerRequests.Answer<?> a = answerAndApply(book, new ReleaseClaims(4, null));
    assertEquals(
        List.of(
            new LeasesExpired(List.of(lease(1)), ExpiryCause.CLAIM_RELEASED),
            new ClaimFloorRaised(4)),
        a.events());
    assertEquals(new ClaimsReleased(4), a.reply());
  }
}
