package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.ReopenConfirmed;
import verity.actors.protocol.LeaseProtocol.ReopenLeases;
import verity.actors.protocol.LeaseProtocol.SettleLeases;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.protocol.TrainingEvent;
import verity.learner.LearnerSettings.StaleHandling;
import verity.learner.ledger.TrainingLedger;

/**
 * A learner restarted on the same data directory continues from its newest good checkpoint: the
 * steps after it are discarded and their tasks leased again (until the task source confirms it,
 * across restarts), the surviving steps' leases are settled again, and a lease a surviving step
 * consumed is never trained on again.
 */
class LearnerRecoveryTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  LearnerTesting learner;
  TestProbe<LeaseProtocol.Command> settlements;
  ActorRef<LearnerProtocol.Command> intake;

  /** One group per step, a checkpoint every 2 versions, staleness never in the way. */
  void start() throws Exception {
    learner =
        new LearnerTesting(dataDir, LearnerTesting.settings(1e-2, 1000, StaleHandling.REJECT), 2);
    settlements = learner.settlements;
    intake = learner.intake;
  }

  @AfterEach
  void stop() {
    if (learner != null) {
      learner.stop();
    }
  }

  <T extends TrainingEvent> T next(Class<T> type) {
    return learner.next(type);
  }

  static List<LeaseId> leases(long... ids) {
    return java.util.Arrays.stream(ids).mapToObj(LeaseId::new).toList();
  }

  /** The next message to the task source of this type, skipping others. */
  @SuppressWarnings("unchecked")
  <T extends LeaseProtocol.Command> T nextTo(Class<T> type) {
    return (T)
        settlements
            .fishForMessage(
                WAIT,
                m ->
                    type.isInstance(m)
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore())
            .get(0);
  }

  static void confirm(ReopenLeases reopen) {
    reopen.replyTo().tell(new ReopenConfirmed(reopen.leases()));
  }

  /** Five steps on leases 1..5; checkpoints of v2 and v4 are journaled, v5 is not covered. */
  void trainFiveStepsThenStop() {
    for (long lease = 1; lease <= 5; lease++) {
      intake.tell(LearnerStalenessTest.group(lease, lease - 1));
      TrainingEvent.StepCompleted step = next(TrainingEvent.StepCompleted.class);
      assertEquals(PolicyVersion.of(lease), step.version());
      assertEquals(0, step.duplicatesTotal());
      learner.expectSettled(List.of(new LeaseId(lease)), Settlement.CONSUMED);
      if (lease % 2 == 0) {
        assertEquals(PolicyVersion.of(lease), next(TrainingEvent.CheckpointSaved.class).version());
      }
    }
    learner.stop();
    learner = null;
  }

  @Test
  void shouldResumeFromTheLastCheckpointAndNeverTrainAConsumedLeaseAgain() throws Exception {
    start();
    trainFiveStepsThenStop();

    start();
    learner.expectSettled(
        "the surviving steps' settlements, in case one was lost with the crash",
        leases(1, 2, 3, 4),
        Settlement.CONSUMED);
    ReopenLeases reopened = settlements.expectMessageClass(ReopenLeases.class, WAIT);
    assertEquals(
        leases(5),
        reopened.leases(),
        "v5 came after the last checkpoint: its task is leased again");
    assertEquals(1, reopened.tasks().size());
    confirm(reopened);

    intake.tell(LearnerStalenessTest.group(3, 4)); // consumed by v3, which survived: dropped
    intake.tell(LearnerStalenessTest.group(5, 4)); // v5 was discarded: its lease is trained again
    TrainingEvent.StepCompleted step = next(TrainingEvent.StepCompleted.class);
    assertEquals(PolicyVersion.of(5), step.version(), "the version continues from the checkpoint");
    assertEquals(4, step.resumedFromVersion());
    assertEquals(0, step.duplicatesTotal());
    // Skips a resend of the reopen that crossed its confirmation, if the machine was that slow.
    SettleLeases settled5 = nextTo(SettleLeases.class);
    assertEquals(leases(5), settled5.leases());
    assertEquals(Settlement.CONSUMED, settled5.settlement());
    settlements.expectNoMessage(Duration.ofMillis(500));
  }

  @Test
  void shouldFallBackToThePreviousCheckpointWhenTheNewestIsCorrupt() throws Exception {
    start();
    trainFiveStepsThenStop();
    Path newest = dataDir.resolve("checkpoints").resolve("ckpt-000000004.bin");
    assertTrue(Files.exists(newest));
    try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x5A);
    }

    start();
    learner.expectSettled(leases(1, 2), Settlement.CONSUMED);
    ReopenLeases reopened = settlements.expectMessageClass(ReopenLeases.class, WAIT);
    assertEquals(
        leases(3, 4, 5), reopened.leases(), "v3, v4 and v5 are lost with the corrupt file");
    assertEquals(3, reopened.tasks().size());
    confirm(reopened);

    intake.tell(LearnerStalenessTest.group(4, 2));
    TrainingEvent.StepCompleted step = next(TrainingEvent.StepCompleted.class);
    assertEquals(PolicyVersion.of(3), step.version());
    assertEquals(2, step.resumedFromVersion());
  }

  @Test
  void shouldSendAReopenAgainUntilTheTaskSourceConfirmsIt() throws Exception {
    start();
    trainFiveStepsThenStop();

    start();
    nextTo(SettleLeases.class);
    ReopenLeases lost = settlements.expectMessageClass(ReopenLeases.class, WAIT);
    ReopenLeases again = settlements.expectMessageClass(ReopenLeases.class, WAIT);
    assertEquals(leases(5), again.leases());
    assertEquals(lost.tasks(), again.tasks());
    confirm(again);
    settlements.expectNoMessage(Learner.REOPEN_RESEND_INTERVAL.multipliedBy(2));
  }

  @Test
  void shouldOweAnUnconfirmedReopenAcrossARestartAndNotOnceConfirmed() throws Exception {
    start();
    trainFiveStepsThenStop();

    start();
    ReopenLeases unanswered = nextTo(ReopenLeases.class);
    learner.stop(); // killed before the task source answered
    learner = null;

    start(); // resumes from v4 again: no step is discarded this time, but lease 5 is still owed
    ReopenLeases owed = nextTo(ReopenLeases.class);
    assertEquals(leases(5), owed.leases());
    assertEquals(unanswered.tasks(), owed.tasks());
    confirm(owed);
    TestProbe<Object> journal = learner.testKit.createTestProbe();
    journal.awaitAssert(
        WAIT,
        () -> {
          assertTrue(
              learnerEvents().stream().anyMatch(e -> e instanceof TrainingLedger.ReopenConfirmed),
              "the confirmation is journaled");
          return null;
        });
    learner.stop();
    learner = null;

    start();
    nextTo(SettleLeases.class);
    settlements.expectNoMessage(Learner.REOPEN_RESEND_INTERVAL.multipliedBy(2));
  }

  /** The learner's events, read back from the durable journal. */
  List<Object> learnerEvents() {
    JdbcReadJournal journal =
        PersistenceQuery.get(learner.testKit.system())
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    try {
      return journal
          .currentEventsByPersistenceId(TrainingLedger.PERSISTENCE_ID.id(), 0L, Long.MAX_VALUE)
          .map(EventEnvelope::event)
          .runWith(Sink.seq(), learner.testKit.system())
          .toCompletableFuture()
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("cannot read the journal", e);
    }
  }
}
