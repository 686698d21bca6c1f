package verity.deploy.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.cluster.ServiceKeys;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.testing.TestNodes;
import verity.envs.arith.ArithmeticSuite;
import verity.learner.checkpoint.CheckpointRef;
import verity.learner.ledger.TrainingLedger;
import verity.rollout.RolloutSettings;
import verity.rollout.TaskRequests;
import verity.rollout.TaskSource;
import verity.rollout.lease.LeaseEvent;

/**
 * The audit reads what the real task source and training ledger journaled (an H2 file per test) and
 * finds every lease accounted for in a clean run, a lost one where a consumed lease's training was
 * discarded and never reopened, a duplicate where two surviving steps consumed one lease, and a
 * lease trained after it closed (with its task leased again: a duplicate too).
 */
class LedgerAuditTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final RolloutSettings SETTINGS =
      new RolloutSettings(1, 2, 4, 8, Duration.ofMinutes(5), 10);

  @TempDir Path dataDir;
  ActorTestKit testKit;

  @BeforeEach
  void start() throws Exception {
    testKit = TestNodes.withJournal("ledger-audit", dataDir);
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldAccountForEveryLeaseOfACleanRun() {
    ActorRef<TaskSource.Command> source = taskSource();
    List<TaskRequests.Lease> l = lease(source, 5);
    ActorRef<LeaseProtocol.Command> port = settlementPort();
    ActorRef<TrainingLedger.Command> ledger = testKit.spawn(TrainingLedger.create(3));
    begin(ledger);
    claim(port, l.get(0), l.get(1));
    step(ledger, 1, l.get(0));
    settle(port, Settlement.CONSUMED, l.get(0));
    checkpoint(ledger, 1);
    step(ledger, 2, l.get(1));
    settle(port, Settlement.CONSUMED, l.get(1));
    settle(port, Settlement.FAILED, l.get(2));
    settle(port, Settlement.REJECTED_STALE, l.get(4));
    testKit.stop(ledger); // the learner dies; v2 is not covered by a checkpoint

    ledger = testKit.spawn(TrainingLedger.create(3));
    TrainingLedger.ResumePlan resumed = resume(ledger, 1);
    List<LeaseId> owed = new ArrayList<>(resumed.unconfirmedReopens().keySet());
    List<TaskId> tasks = new ArrayList<>(resumed.unconfirmedReopens().values());
    assertEquals(List.of(l.get(1).id()), owed);
    TestProbe<LeaseProtocol.ReopenConfirmed> confirmations = testKit.createTestProbe();
    port.tell(new LeaseProtocol.ReopenLeases(owed, tasks, confirmations.getRef()));
    confirmations.expectMessage(WAIT, new LeaseProtocol.ReopenConfirmed(owed));
    testKit.stop(source); // the task source dies with lease 4 open: it expires at the restart

    List<TaskRequests.Lease> again = lease(taskSource(), 2);
    assertEquals(
        List.of(l.get(1).task(), l.get(3).task()),
        again.stream().map(TaskRequests.Lease::task).toList(),
        "the reopened task and the expired one are leased again");

    LedgerAudit.Result audit =
        expectAudit(
            new LedgerAudit.Result(
                7, 1, 1, 1, 1, 1, 2, 0, 0, 0, 0, Map.of("open_at_recovery", 1L), List.of()));
    assertTrue(audit.exact());
  }

  @Test
  void shouldFindAConsumedLeaseWhoseTrainingWasDiscardedAndNeverReopened() {
    ActorRef<TaskSource.Command> source = taskSource();
    List<TaskRequests.Lease> l = lease(source, 2);
    ActorRef<LeaseProtocol.Command> port = settlementPort();
    ActorRef<TrainingLedger.Command> ledger = testKit.spawn(TrainingLedger.create(3));
    begin(ledger);
    claim(port, l.get(0), l.get(1));
    step(ledger, 1, l.get(0));
    settle(port, Settlement.CONSUMED, l.get(0));
    checkpoint(ledger, 1);
    step(ledger, 2, l.get(1));
    settle(port, Settlement.CONSUMED, l.get(1));
    testKit.stop(ledger);

    ledger = testKit.spawn(TrainingLedger.create(3));
    resume(ledger, 1); // v2 is discarded, and its reopen never reaches the task source

    LedgerAudit.Result audit =
        expectAudit(
            new LedgerAudit.Result(
                2, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, Map.of(), List.of(l.get(1).id().value())));
    assertFalse(audit.exact());
  }

  @Test
  void shouldCountALeaseConsumedByTwoSurvivingStepsAsADuplicate() {
    ActorRef<TaskSource.Command> source = taskSource();
    List<TaskRequests.Lease> l = lease(source, 1);
    ActorRef<LeaseProtocol.Command> port = settlementPort();
    ActorRef<TrainingLedger.Command> ledger = testKit.spawn(TrainingLedger.create(3));
    begin(ledger);
    claim(port, l.get(0));
    step(ledger, 1, l.get(0));
    step(ledger, 2, l.get(0));
    settle(port, Settlement.CONSUMED, l.get(0));

    LedgerAudit.Result audit =
        expectAudit(new LedgerAudit.Result(1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, Map.of(), List.of()));
    assertFalse(audit.exact());
  }

  @Test
  void shouldCountALeaseThatTakesMoreFromTheReissueQueueThanItHolds() {
    List<LeaseEvent> journal =
        List.of(
            new LeaseEvent.LeasesIssued(new LeaseId(1), tasks("1+1"), 0, "w"),
            new LeaseEvent.LeasesExpired(List.of(new LeaseId(1)), LeaseEvent.ExpiryCause.TIMEOUT),
            new LeaseEvent.LeasesIssued(new LeaseId(2), tasks("1+1", "2+2"), 2, "w"));
    LedgerAudit.Result audit = LedgerAudit.of(journal, List.of());
    assertEquals(
        new LedgerAudit.Result(3, 0, 0, 0, 1, 0, 2, 0, 0, 0, 1, Map.of("timeout", 1L), List.of()),
        audit);
  }

  @Test
  void shouldFlagALeaseTrainedAfterItExpiredAndItsTaskWentOutAgain() {
    // Lease 1's trajectories sat in a verifier queue past the lease timeout; its task went out
    // again as lease 2; the learner trained both, lease 1 without a claim.
    LeaseId one = new LeaseId(1);
    LeaseId two = new LeaseId(2);
    List<LeaseEvent> taskSource =
        List.of(
            new LeaseEvent.LeasesIssued(one, tasks("3+4"), 0, "w1"),
            new LeaseEvent.LeasesExpired(List.of(one), LeaseEvent.ExpiryCause.TIMEOUT),
            new LeaseEvent.LeasesIssued(two, tasks("3+4"), 1, "w2"),
            new LeaseEvent.LeasesClaimed(List.of(two), 0),
            new LeaseEvent.LeasesSettled(List.of(two), Settlement.CONSUMED));
    List<TrainingLedger.Event> learner =
        List.of(
            new TrainingLedger.StepApplied(PolicyVersion.of(1), List.of(one), tasks("3+4")),
            new TrainingLedger.StepApplied(PolicyVersion.of(2), List.of(two), tasks("3+4")));
    LedgerAudit.Result audit = LedgerAudit.of(taskSource, learner);
    assertEquals(1, audit.consumedAfterClose(), audit.toString());
    assertEquals(1, audit.duplicates(), "task 3+4 trained twice: " + audit);
    assertFalse(audit.exact());
  }

  static List<TaskId> tasks(String... ids) {
    return Arrays.stream(ids).map(TaskId::new).toList();
  }

  // --- the run, written through the real actors ---------------------------------------------

  ActorRef<TaskSource.Command> taskSource() {
    return testKit.spawn(TaskSource.create(SETTINGS, ArithmeticSuite.singleDigit().generator(1)));
  }

  List<TaskRequests.Lease> lease(ActorRef<TaskSource.Command> source, int n) {
    TestProbe<TaskRequests.Leases> worker = testKit.createTestProbe();
    source.tell(new TaskRequests.RequestTasks(n, "w", worker.getRef()));
    List<TaskRequests.Lease> leases = worker.receiveMessage(WAIT).leases();
    assertEquals(n, leases.size());
    return leases;
  }

  /** The task source's settlement port, found like the learner finds it. */
  ActorRef<LeaseProtocol.Command> settlementPort() {
    TestProbe<Receptionist.Listing> probe = testKit.createTestProbe();
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.subscribe(ServiceKeys.LEASE_SETTLEMENT, probe.getRef()));
    Set<ActorRef<LeaseProtocol.Command>> refs = Set.of();
    while (refs.isEmpty()) {
      refs = probe.receiveMessage(WAIT).getServiceInstances(ServiceKeys.LEASE_SETTLEMENT);
    }
    return refs.iterator().next();
  }

  /** The learner's claim on these leases, granted (they are open) before the call returns. */
  void claim(ActorRef<LeaseProtocol.Command> port, TaskRequests.Lease... leases) {
    TestProbe<LeaseProtocol.ClaimAnswer> answer = testKit.createTestProbe();
    List<LeaseId> ids = Arrays.stream(leases).map(TaskRequests.Lease::id).toList();
    port.tell(new LeaseProtocol.ClaimLeases(ids, 0, answer.getRef()));
    assertEquals(ids, answer.receiveMessage(WAIT).granted());
  }

  void settle(ActorRef<LeaseProtocol.Command> port, Settlement how, TaskRequests.Lease... leases) {
    port.tell(
        new LeaseProtocol.SettleLeases(
            Arrays.stream(leases).map(TaskRequests.Lease::id).toList(),
            how,
            testKit.system().ignoreRef()));
  }

  static CheckpointRef checkpointOf(long version) {
    return new CheckpointRef(PolicyVersion.of(version), "ckpt-" + version, version);
  }

  void begin(ActorRef<TrainingLedger.Command> ledger) {
    TestProbe<Done> done = testKit.createTestProbe();
    ledger.tell(new TrainingLedger.Begin("arith", checkpointOf(0), done.getRef()));
    done.receiveMessage(WAIT);
  }

  void step(ActorRef<TrainingLedger.Command> ledger, long version, TaskRequests.Lease... leases) {
    TestProbe<TrainingLedger.StepRecorded> recorded = testKit.createTestProbe();
    ledger.tell(
        new TrainingLedger.RecordStep(
            new TrainingLedger.StepApplied(
                PolicyVersion.of(version),
                Arrays.stream(leases).map(TaskRequests.Lease::id).toList(),
                Arrays.stream(leases).map(TaskRequests.Lease::task).toList()),
            recorded.getRef()));
    recorded.receiveMessage(WAIT);
  }

  /** Journaled before whatever the ledger is told next: its reply is not needed. */
  void checkpoint(ActorRef<TrainingLedger.Command> ledger, long version) {
    ledger.tell(
        new TrainingLedger.RecordCheckpoint(checkpointOf(version), testKit.system().ignoreRef()));
  }

  TrainingLedger.ResumePlan resume(ActorRef<TrainingLedger.Command> ledger, long version) {
    TestProbe<TrainingLedger.ResumePlan> resumed = testKit.createTestProbe();
    ledger.tell(new TrainingLedger.Resume(checkpointOf(version), resumed.getRef()));
    return resumed.receiveMessage(WAIT);
  }

  /**
   * The audit, once the journal says {@code expected}: settlements are not answered, so the last
   * ones may still be on their way to the journal when the audit first reads it.
   */
  LedgerAudit.Result expectAudit(LedgerAudit.Result expected) {
    TestProbe<Object> probe = testKit.createTestProbe();
    return probe.awaitAssert(
        WAIT,
        () -> {
          LedgerAudit.Result audit;
          try {
            audit =
                LedgerAudit.run(testKit.system())
                    .toCompletableFuture()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new AssertionError("the audit failed", e);
          }
          assertEquals(expected, audit);
          return audit;
        });
  }
}
