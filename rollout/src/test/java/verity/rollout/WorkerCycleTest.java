package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import verity.actors.ids.LeaseId;
import verity.actors.ids.TaskId;
import verity.rollout.WorkerCycle.Phase;
import verity.rollout.WorkerCycle.Request;

/** When a rollout worker leases, whether ahead, and what it does with the leases that arrive. */
class WorkerCycleTest {
  /** Batches shorter than 15 s (a quarter of the lease timeout) are leased ahead. */
  static final Duration LEASE_TIMEOUT = Duration.ofMinutes(1);

  static final double SHORT = 1_000;
  static final double LONG = 20_000;

  @Test
  void shouldLeaseNothingBeforeItIsReady() {
    WorkerCycle cycle = new WorkerCycle(LEASE_TIMEOUT);
    assertEquals(Request.NONE, cycle.request(true, false));
    cycle.ready();
    assertEquals(Request.NOW, cycle.request(true, false));
    assertEquals(Phase.LEASING, cycle.phase());
    assertEquals(Request.NONE, cycle.request(true, false), "one request at a time");
  }

  @Test
  void shouldLeaseNothingWithoutASourceOrWhileABatchWaitsForAVerifier() {
    WorkerCycle cycle = ready();
    assertEquals(Request.NONE, cycle.request(false, false));
    assertEquals(Request.NONE, cycle.request(true, true));
    assertEquals(Phase.IDLE, cycle.phase());
  }

  @Test
  void shouldStartTheLeasesThatArriveAndNotLeaseAheadOfTheFirstBatch() {
    WorkerCycle cycle = leasing();
    WorkerCycle.Arrival a = cycle.leased(leases(1));
    assertEquals(leases(1), a.start());
    assertTrue(a.giveBack().isEmpty());
    assertTrue(cycle.generating());
    // How long a batch takes is not known before the first finished.
    assertEquals(Request.NONE, cycle.request(true, false));
  }

  @Test
  void shouldLeaseAheadOnlyWhenBatchesAreShortAgainstTheLeaseTimeout() {
    WorkerCycle shortBatches = generatingAfter(SHORT);
    assertEquals(Request.AHEAD, shortBatches.request(true, false));
    assertEquals(Phase.LEASING_AHEAD, shortBatches.phase());

    WorkerCycle longBatches = generatingAfter(LONG);
    assertEquals(Request.NONE, longBatches.request(true, false));
    assertEquals(Phase.GENERATING, longBatches.phase());
  }

  @Test
  void shouldNotLeaseAheadWhileABatchWaitsForAVerifier() {
    WorkerCycle cycle = generatingAfter(SHORT);
    assertEquals(Request.NONE, cycle.request(true, true));
    assertEquals(Request.AHEAD, cycle.request(true, false), "once it is taken");
  }

  @Test
  void shouldHoldLeasesThatArriveAheadAndStartThemWhenTheBatchFinishes() {
    WorkerCycle cycle = generatingAfter(SHORT);
    cycle.request(true, false);
    WorkerCycle.Arrival a = cycle.leased(leases(3));
    assertTrue(a.start().isEmpty());
    assertEquals(Phase.PREFETCHED, cycle.phase());
    assertEquals(Request.NONE, cycle.request(true, false), "one batch ahead at most");

    assertEquals(leases(3), cycle.generated(SHORT));
    assertEquals(Phase.GENERATING, cycle.phase());
  }

  @Test
  void shouldNotAskAheadAgainDuringABatchWhoseRequestAheadWasRefused() {
    WorkerCycle cycle = generatingAfter(SHORT);
    cycle.request(true, false);
    cycle.leased(List.of());
    assertEquals(Phase.GENERATING_REFUSED_AHEAD, cycle.phase());
    assertEquals(Request.NONE, cycle.request(true, false));

    assertTrue(cycle.generated(SHORT).isEmpty());
    assertEquals(Request.NOW, cycle.request(true, false), "after the batch it asks again");
  }

  @Test
  void shouldTakeTheAnswerToARequestAheadAsTheNextBatchWhenTheBatchFinishedFirst() {
    WorkerCycle cycle = generatingAfter(SHORT);
    cycle.request(true, false);
    assertTrue(cycle.generated(SHORT).isEmpty());
    assertEquals(Phase.LEASING, cycle.phase());
    assertEquals(Request.NONE, cycle.request(true, false), "the request ahead is still out");
    assertEquals(leases(4), cycle.leased(leases(4)).start());
  }

  @Test
  void shouldAskAgainWhenTheTaskSourceChangesUnderAnOutstandingRequest() {
    WorkerCycle cycle = leasing();
    cycle.sourceChanged();
    assertEquals(Request.NOW, cycle.request(true, false));

    WorkerCycle ahead = generatingAfter(SHORT);
    ahead.request(true, false);
    ahead.sourceChanged();
    assertEquals(Request.AHEAD, ahead.request(true, false));
  }

  @Test
  void shouldGiveBackLeasesBeyondTheOneBatchItHoldsAhead() {
    WorkerCycle cycle = generatingAfter(SHORT);
    cycle.request(true, false);
    cycle.leased(leases(3));
    WorkerCycle.Arrival extra = cycle.leased(leases(5));
    assertTrue(extra.start().isEmpty());
    assertEquals(leases(5), extra.giveBack());
    assertEquals(leases(3), cycle.generated(SHORT), "the held batch is kept");
  }

  @Test
  void shouldRefuseABatchThatFinishesWhileNoneGenerates() {
    WorkerCycle cycle = ready();
    assertThrows(IllegalStateException.class, () -> cycle.generated(SHORT));
    assertFalse(cycle.generating());
  }

  @Test
  void shouldHandBackThePrefetchedLeasesAndFinishTheBatchThatGeneratesWhenDrained() {
    WorkerCycle cycle = generatingAfter(SHORT);
    cycle.request(true, false);
    cycle.leased(leases(3));

    assertEquals(leases(3), cycle.drain());
    assertEquals(Phase.DRAINING, cycle.phase());
    assertFalse(cycle.drained(false), "the batch that generates is finished first");
    assertEquals(Request.NONE, cycle.request(true, false));

    assertTrue(cycle.generated(SHORT).isEmpty(), "the handed-back leases are not generated");
    assertFalse(cycle.drained(true), "not while its batch waits for a verifier");
    assertTrue(cycle.drained(false));
    assertEquals(Request.NONE, cycle.request(true, false));
  }

  @Test
  void shouldHandBackLeasesThatArriveAfterTheDrain() {
    WorkerCycle waiting = leasing();
    assertTrue(waiting.drain().isEmpty());
    assertTrue(waiting.drained(false), "nothing generates: drained at once");
    WorkerCycle.Arrival late = waiting.leased(leases(1));
    assertTrue(late.start().isEmpty());
    assertEquals(leases(1), late.giveBack());

    WorkerCycle ahead = generatingAfter(SHORT);
    ahead.request(true, false);
    assertTrue(ahead.drain().isEmpty());
    assertEquals(leases(3), ahead.leased(leases(3)).giveBack());
    assertTrue(ahead.generated(SHORT).isEmpty());
    assertTrue(ahead.drained(false));
  }

  @Test
  void shouldShowWhatTheWorkerIsDoing() {
    WorkerCycle cycle = new WorkerCycle(LEASE_TIMEOUT);
    assertEquals("starting", cycle.state(false, false, true));
    assertEquals("waiting-weights", cycle.state(true, false, true));
    cycle.ready();
    assertEquals("no-source", cycle.state(true, false, false));
    assertEquals("idle", cycle.state(true, false, true));
    assertEquals("waiting-verifier", cycle.state(true, true, true));
    cycle.request(true, false);
    assertEquals("waiting-lease", cycle.state(true, false, true));
    cycle.leased(leases(1));
    assertEquals("generating", cycle.state(true, true, true));
    cycle.drain();
    assertEquals("draining", cycle.state(true, false, true));
    cycle.generated(SHORT);
    assertEquals("draining", cycle.state(true, true, true));
    assertEquals("drained", cycle.state(true, false, true));
  }

  static WorkerCycle ready() {
    WorkerCycle cycle = new WorkerCycle(LEASE_TIMEOUT);
    cycle.ready();
    return cycle;
  }

  static WorkerCycle leasing() {
    WorkerCycle cycle = ready();
    cycle.request(true, false);
    return cycle;
  }

  /** A cycle whose first batch took {@code millis} and whose second generates. */
  static WorkerCycle generatingAfter(double millis) {
    WorkerCycle cycle = leasing();
    cycle.leased(leases(1));
    cycle.generated(millis);
    cycle.request(true, false);
    cycle.leased(leases(2));
    assertEquals(Phase.GENERATING, cycle.phase());
    return cycle;
  }

  static List<TaskRequests.Lease> leases(long id) {
    return List.of(new TaskRequests.Lease(new LeaseId(id), new TaskId("3+4"), 2));
  }
}
