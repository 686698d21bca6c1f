package verity.learner.settle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.Settlement;

class SettlementOutboxTest {
  static final long SECOND = 1_000_000_000L;

  static SettlementOutbox outbox() {
    return new SettlementOutbox(null, null, null, null, Duration.ofSeconds(2));
  }

  static List<LeaseId> leases(long... ids) {
    return java.util.Arrays.stream(ids).mapToObj(LeaseId::new).toList();
  }

  @Test
  void aSettlementIsSentAgainWhenUnansweredAndNotOnceConfirmed() {
    SettlementOutbox o = outbox();
    o.settle(leases(1, 2), Settlement.CONSUMED, PolicyVersion.of(4));
    assertEquals(1, o.due(0, false).size());
    assertEquals(0, o.due(SECOND, false).size(), "not overdue yet");
    List<LeaseProtocol.Command> again = o.due(3 * SECOND, false);
    assertEquals(1, again.size());
    assertEquals(leases(1, 2), ((LeaseProtocol.SettleLeases) again.get(0)).leases());
    assertEquals(
        List.of(PolicyVersion.of(4)),
        o.onSettlementConfirmed(new LeaseProtocol.SettlementConfirmed(leases(2, 1))));
    assertEquals(0, o.due(10 * SECOND, true).size());
    assertEquals(0, o.owed());
  }

  @Test
  void everythingOwedIsSentAtOnceWhenTheTaskSourceMoved() {
    SettlementOutbox o = outbox();
    o.claim(leases(3), 1);
    o.settle(leases(1), Settlement.REJECTED_STALE, null);
    o.due(0, false);
    assertEquals(2, o.due(SECOND / 10, true).size());
  }

  @Test
  void aReleaseWaitsForTheSettlementsAndReopensOwedBeforeIt() {
    SettlementOutbox o = outbox();
    o.settle(leases(1), Settlement.CONSUMED, PolicyVersion.of(1));
    Map<LeaseId, TaskId> reopen = new LinkedHashMap<>();
    reopen.put(new LeaseId(2), new TaskId("t2"));
    o.reopen(reopen);
    o.releaseClaims(1);
    List<LeaseProtocol.Command> first = o.due(0, false);
    assertEquals(2, first.size(), "the release is held back: " + first);
    o.onSettlementConfirmed(new LeaseProtocol.SettlementConfirmed(leases(1)));
    assertTrue(o.due(SECOND / 10, false).isEmpty(), "the reopen is still owed");
    assertEquals(leases(2), o.onReopenConfirmed(new LeaseProtocol.ReopenConfirmed(leases(2))));
    List<LeaseProtocol.Command> release = o.due(SECOND / 5, false);
    assertEquals(1, release.size());
    assertInstanceOf(LeaseProtocol.ReleaseClaims.class, release.get(0));
    o.onClaimsReleased(new LeaseProtocol.ClaimsReleased(1));
    assertEquals(0, o.owed());
  }

  @Test
  void aClaimAnswerIsTakenOnceAndARepeatedAnswerIsIgnored() {
    SettlementOutbox o = outbox();
    o.claim(leases(1, 2, 3), 0);
    LeaseProtocol.ClaimAnswer answer = new LeaseProtocol.ClaimAnswer(leases(1, 3), leases(2));
    SettlementOutbox.ClaimResult r = o.onClaimAnswer(answer);
    assertEquals(leases(1, 3), r.granted());
    assertEquals(leases(2), r.refused());
    SettlementOutbox.ClaimResult repeat = o.onClaimAnswer(answer);
    assertTrue(repeat.granted().isEmpty() && repeat.refused().isEmpty());
    assertEquals(0, o.owed());
  }

  @Test
  void aPartlyAnsweredClaimIsSentAgainForTheRestOnly() {
    SettlementOutbox o = outbox();
    o.claim(leases(1, 2), 0);
    o.due(0, false);
    o.onClaimAnswer(new LeaseProtocol.ClaimAnswer(leases(1), List.of()));
    List<LeaseProtocol.Command> again = o.due(3 * SECOND, false);
    assertEquals(leases(2), ((LeaseProtocol.ClaimLeases) again.get(0)).leases());
  }
}
