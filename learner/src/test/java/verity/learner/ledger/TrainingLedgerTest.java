package verity.learner.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.testing.TestJournal;
import verity.actors.testing.TestNodes;
import verity.learner.checkpoint.CheckpointRef;

/**
 * The learner's journal, on the embedded H2 file and on PostgreSQL: what a resume leaves owed, and
 * what a new incarnation recovers.
 */
class TrainingLedgerTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  static CheckpointRef checkpoint(long version) {
    return new CheckpointRef(PolicyVersion.of(version), "ckpt-" + version, version);
  }

  static TrainingLedger.StepApplied step(long version, long... leases) {
    List<LeaseId> ids = java.util.Arrays.stream(leases).mapToObj(LeaseId::new).toList();
    return new TrainingLedger.StepApplied(
        PolicyVersion.of(version),
        ids,
        ids.stream().map(l -> new TaskId("t" + l.value())).toList());
  }

  @ParameterizedTest
  @EnumSource(TestJournal.class)
  void aLeaseConsumedBySurvivingAndDiscardedStepsStaysConsumedAfterTheResume(TestJournal kind)
      throws Exception {
    try (TestJournal.Database db = kind.open()) {
      ActorTestKit kit = TestNodes.withJournal("ledger", dataDir, db.config());
      try {
        ActorRef<TrainingLedger.Command> ledger = kit.spawn(TrainingLedger.create(2));
        TestProbe<Done> begun = kit.createTestProbe();
        ledger.tell(new TrainingLedger.Begin("arith", checkpoint(0), begun.getRef()));
        begun.receiveMessage(WAIT);
        TestProbe<TrainingLedger.StepRecorded> recorded = kit.createTestProbe();
        TestProbe<TrainingLedger.CheckpointKept> kept = kit.createTestProbe();
        ledger.tell(new TrainingLedger.RecordStep(step(1, 5, 6), recorded.getRef()));
        recorded.receiveMessage(WAIT);
        ledger.tell(new TrainingLedger.RecordCheckpoint(checkpoint(1), kept.getRef()));
        assertEquals(List.of(checkpoint(0), checkpoint(1)), kept.receiveMessage(WAIT).retained());
        // A repeat that slipped through: lease 5 again, in a step the resume will discard.
        ledger.tell(new TrainingLedger.RecordStep(step(2, 5, 7), recorded.getRef()));
        assertEquals(1, recorded.receiveMessage(WAIT).duplicates());

        TestProbe<TrainingLedger.ResumePlan> planned = kit.createTestProbe();
        ledger.tell(new TrainingLedger.Resume(checkpoint(1), planned.getRef()));
        TrainingLedger.ResumePlan plan = planned.receiveMessage(WAIT);
        assertEquals(1, plan.lineage().epoch());
        assertEquals(List.of(step(2, 5, 7)), plan.discarded());
        assertEquals(List.of(step(1, 5, 6)), plan.unsettled(), "never confirmed: settled again");
        assertEquals(0, plan.duplicates(), "the duplicate went with the discarded step");
        kit.stop(ledger);

        ActorRef<TrainingLedger.Command> again = kit.spawn(TrainingLedger.create(2));
        TestProbe<TrainingLedger.LedgerRecovery> recovered = kit.createTestProbe();
        again.tell(new TrainingLedger.GetRecovered(recovered.getRef()));
        TrainingLedger.LedgerRecovery r = recovered.receiveMessage(WAIT);
        assertTrue(r.consumed().contains(new LeaseId(5)), "step v1 consumed lease 5 and survived");
        assertTrue(r.consumed().contains(new LeaseId(6)));
        assertTrue(!r.consumed().contains(new LeaseId(7)), "only the discarded step consumed it");
        assertEquals(1, r.lineage().epoch());
      } finally {
        kit.shutdownTestKit();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TestJournal.class)
  void aConfirmedSettlementAndReopenAreNotOwedAfterARestart(TestJournal kind) throws Exception {
    try (TestJournal.Database db = kind.open()) {
      ActorTestKit kit = TestNodes.withJournal("ledger", dataDir, db.config());
      try {
        ActorRef<TrainingLedger.Command> ledger = kit.spawn(TrainingLedger.create(2));
        TestProbe<Done> begun = kit.createTestProbe();
        ledger.tell(new TrainingLedger.Begin("arith", checkpoint(0), begun.getRef()));
        begun.receiveMessage(WAIT);
        TestProbe<TrainingLedger.StepRecorded> recorded = kit.createTestProbe();
        ledger.tell(new TrainingLedger.RecordStep(step(1, 1), recorded.getRef()));
        ledger.tell(new TrainingLedger.RecordStep(step(2, 2), recorded.getRef()));
        recorded.receiveMessage(WAIT);
        recorded.receiveMessage(WAIT);
        ledger.tell(new TrainingLedger.ConfirmSettlements(List.of(PolicyVersion.of(1))));
        TestProbe<TrainingLedger.ResumePlan> planned = kit.createTestProbe();
        ledger.tell(new TrainingLedger.Resume(checkpoint(0), planned.getRef()));
        TrainingLedger.ResumePlan plan = planned.receiveMessage(WAIT);
        assertEquals(2, plan.discarded().size(), "both steps came after the checkpoint of v0");
        assertEquals(
            List.of(new LeaseId(1), new LeaseId(2)),
            List.copyOf(plan.unconfirmedReopens().keySet()));
        ledger.tell(new TrainingLedger.ConfirmReopens(List.of(new LeaseId(1))));
        // Commands wait while an event is persisted: this answer means the confirmation is in.
        TestProbe<TrainingLedger.LedgerRecovery> journaled = kit.createTestProbe();
        ledger.tell(new TrainingLedger.GetRecovered(journaled.getRef()));
        journaled.receiveMessage(WAIT);
        kit.stop(ledger);

        ActorRef<TrainingLedger.Command> again = kit.spawn(TrainingLedger.create(2));
        again.tell(new TrainingLedger.Resume(checkpoint(0), planned.getRef()));
        plan = planned.receiveMessage(WAIT);
        assertEquals(List.of(new LeaseId(2)), List.copyOf(plan.unconfirmedReopens().keySet()));
        assertEquals(2, plan.lineage().epoch());
      } finally {
        kit.shutdownTestKit();
      }
    }
  }
}
