package verity.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import verity.actors.protocol.TrainingEvent.VerifierReport;
import verity.actors.protocol.Verdict;

/** What a verifier counts for its reports, and its state word. */
class VerifierCountsTest {

  @Test
  void shouldCountVerdictsByReasonAndReportThem() {
    VerifierCounts counts = new VerifierCounts();
    assertEquals(1, counts.scored(new Verdict(1, Verdict.Reason.CORRECT, 10)));
    assertEquals(2, counts.scored(new Verdict(0, Verdict.Reason.WRONG, 30)));
    assertEquals(3, counts.scored(new Verdict(1, Verdict.Reason.CORRECT, 20)));
    counts.infrastructureFailure();

    VerifierReport r = counts.report("v", "arith", 7, "closed");
    assertEquals(3, r.scored());
    assertEquals(2, r.count(Verdict.Reason.CORRECT));
    assertEquals(1, r.count(Verdict.Reason.WRONG));
    assertEquals(0, r.count(Verdict.Reason.TIMEOUT));
    assertEquals(20, r.p50Millis());
    assertEquals(30, r.p99Millis());
    assertEquals(7, r.queued());
    assertEquals("closed", r.breaker());
    assertEquals(1, r.infrastructureFailures());
  }

  @Test
  void shouldShowTheBreakerUnlessClosedThenWhatTheVerifierDoes() {
    assertEquals("breaker-open", VerifierCounts.state("open", 2, 5));
    assertEquals("breaker-half-open", VerifierCounts.state("half-open", 0, 0));
    assertEquals("checking", VerifierCounts.state("closed", 1, 5));
    assertEquals("holding", VerifierCounts.state("closed", 0, 5));
    assertEquals("idle", VerifierCounts.state("closed", 0, 0));
  }
}
