package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import verity.learner.settle.SettlementSender;

/**
 * A learner restarted on the same data directory continues from its newest good checkpoint in a new
 * epoch: the steps after it are discarded and their tasks leased again (until the task source
 * confirms it, across restarts), the surviving steps whose settlement was never confirmed are
 * settled again, the former incarnation's claims are released only after both, a lease a surviving
 * step consumed is never trained on again, and trajectories of the discarded steps are dropped.
 */
class LearnerRecoveryTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  LearnerTesting learner;
  TestProbe<LeaseProtocol.Command> toTaskSource;
  ActorRef<LearnerProtocol.Command> intake;

  /** One group per step, a checkpoint every 2 versions, staleness never in the way. */
  void start() throws Exception {
    learner =
        new LearnerTesting(dataDir, LearnerTesting.settings(1e-2, 1000, StaleHandling.REJECT), 2);
    toTaskSource = learner.toTaskSource;
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

  <T extends LeaseProtocol.Command> T nextTo(Class<T> type) {
    return learner.nextTo(type);
  }

  static void confirm(ReopenLeases reopen) {
    reopen.replyTo().tell(new ReopenConfirmed(reopen.leases()));
  }

  /** Steps on leases 1..n, one each; the checkpoints of even versions are journaled. */
  void trainThenStop(int n) {
    for (long lease = 1; lease <= n; lease++) {
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
  void shouldResumeFromTheLastCheckpointInANewEpochAndNeverTrainAConsumedLeaseAgain()
      throws Exception {
    start();
    trainThenStop(5);

    start();
    ReopenLeases reopened = nextTo(ReopenLeases.class);
    assertEquals(leases(5), reopened.leases(), "v5 came after the last checkpoint: leased again");
    assertEquals(1, reopened.tasks().size());
    confirm(reopened);
    assertEquals(1, nextTo(LeaseProtocol.ReleaseClaims.class).epoch(), "epoch 0's claims go");

    intake.tell(LearnerStalenessTest.group(3, 4)); // consumed by v3, which survived: dropped
    intake.tell(LearnerStalenessTest.group(6, 4));
    assertEquals(leases(6), nextTo(LeaseProtocol.ClaimLeases.class).leases(), "not lease 3");
    TrainingEvent.StepCompleted step = next(TrainingEvent.StepCompleted.class);
    assertEquals(new PolicyVersion(1, 5), step.version(), "v5 again, in the resume's epoch");
    assertEquals(4, step.resumedFromVersion());
    assertEquals(0, step.duplicatesTotal());
    learner.expectSettled(leases(6), Settlement.CONSUMED);
  }

  @Test
  void shouldDropAStragglerOfAStepThatTheResumeDiscarded() throws Exception {
    start();
    trainThenStop(5);

    start();
    confirm(nextTo(ReopenLeases.class));
    intake.tell(LearnerStalenessTest.group(6, 4));
    assertEquals(new PolicyVersion(1, 5), next(TrainingEvent.StepCompleted.class).version());
    // A worker that still held the discarded v5 (epoch 0) delivers: not the new v5 (epoch 1).
    intake.tell(LearnerStalenessTest.group(7, PolicyVersion.of(5)));
    learner.expectSettled(leases(6), Settlement.CONSUMED);
    learner.expectSettled(leases(7), Settlement.REJECTED_STALE);
    intake.tell(LearnerStalenessTest.group(8, new PolicyVersion(1, 5)));
    TrainingEvent.StepCompleted step = next(TrainingEvent.StepCompleted.class);
    assertEquals(new PolicyVersion(1, 6), step.version());
    assertEquals(2, step.rejectedStaleTotal(), "lease 7's two trajectories");
  }

  @Test
  void shouldFallBackToThePreviousCheckpointWhenTheNewestIsCorrupt() throws Exception {
    start();
    trainThenStop(5);
    Path newest =
        dataDir.resolve("checkpoints").resolve("ckpt-000000004-e0").resolve("model.safetensors");
    assertTrue(Files.exists(newest));
    try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x5A);
    }

    start();
    ReopenLeases reopened = nextTo(ReopenLeases.class);
    assertEquals(
        leases(3, 4, 5), reopened.leases(), "v3, v4 and v5 are lost with the corrupt file");
    assertEquals(3, reopened.tasks().size());
    confirm(reopened);

    intake.tell(LearnerStalenessTest.group(6, 2));
    TrainingEvent.StepCompleted step = next(TrainingEvent.StepCompleted.class);
    assertEquals(new PolicyVersion(1, 3), step.version());
    assertEquals(2, step.resumedFromVersion());
  }

  @Test
  void shouldSendAReopenAgainUntilConfirmedAndReleaseOldClaimsOnlyAfterIt() throws Exception {
    start();
    trainThenStop(5);

    start();
    List<LeaseProtocol.Command> seen = new ArrayList<>();
    int reopens = 0;
    ReopenLeases last = null;
    while (reopens < 2) {
      LeaseProtocol.Command m = toTaskSource.receiveMessage(WAIT);
      seen.add(m);
      if (m instanceof ReopenLeases r) {
        reopens++;
        last = r;
      }
    }
    assertEquals(leases(5), last.leases());
    assertTrue(
        seen.stream().noneMatch(m -> m instanceof LeaseProtocol.ReleaseClaims),
        "no release while a reopen is owed: " + seen);
    confirm(last);
    assertEquals(1, nextTo(LeaseProtocol.ReleaseClaims.class).epoch());
    learner.assertNoneSent(
        ReopenLeases.class,
        SettlementSender.RESEND_AFTER.multipliedBy(3),
        "a confirmed reopen was sent again");
  }

  @Test
  void shouldOweAnUnconfirmedReopenAcrossARestartAndNotOnceConfirmed() throws Exception {
    start();
    trainThenStop(5);

    start();
    ReopenLeases unanswered = nextTo(ReopenLeases.class);
    learner.stop(); // killed before the task source answered
    learner = null;

    start(); // resumes from v4 again: no step is discarded this time, but lease 5 is still owed
    ReopenLeases owed = nextTo(ReopenLeases.class);
    assertEquals(leases(5), owed.leases());
    assertEquals(unanswered.tasks(), owed.tasks());
    confirm(owed);
    awaitJournaled(TrainingLedger.ReopensAcknowledged.class);
    learner.stop();
    learner = null;

    start();
    assertEquals(3, nextTo(LeaseProtocol.ReleaseClaims.class).epoch());
    learner.assertNoneSent(
        ReopenLeases.class,
        SettlementSender.RESEND_AFTER.multipliedBy(3),
        "a confirmed reopen was owed again");
  }

  @Test
  void shouldSendASettlementAgainUntilConfirmedEvenAfterTheCheckpointsMovedPastIt()
      throws Exception {
    start();
    learner.unansweredSettlements.set(1);
    intake.tell(LearnerStalenessTest.group(1, 0));
    learner.expectSettled(leases(1), Settlement.CONSUMED);
    learner.expectSettled(leases(1), Settlement.CONSUMED); // unanswered: sent again
    intake.tell(LearnerStalenessTest.group(2, 1));
    learner.expectSettled(leases(2), Settlement.CONSUMED);
    awaitSettledJournaled(PolicyVersion.of(1), PolicyVersion.of(2));
    learner.stop();
    learner = null;

    // Now the task source answers nothing: steps 3..9 are trained and the checkpoints of v4, v6
    // and v8 are kept, so steps 3 and 4 fall to or below the oldest checkpoint kept.
    start();
    learner.unansweredSettlements.set(Integer.MAX_VALUE);
    for (long lease = 3; lease <= 9; lease++) {
      intake.tell(LearnerStalenessTest.group(lease, new PolicyVersion(1, lease - 1)));
      next(TrainingEvent.StepCompleted.class);
    }
    awaitJournaled(TrainingLedger.CheckpointRecorded.class, 5);
    learner.stop();
    learner = null;

    start(); // from v8: step 9 is discarded, steps 3..8 are owed their settlement
    Set<LeaseId> settledAgain = new HashSet<>();
    while (!settledAgain.containsAll(leases(3, 4, 5, 6, 7, 8))) {
      SettleLeases s = nextTo(SettleLeases.class);
      assertEquals(Settlement.CONSUMED, s.settlement());
      settledAgain.addAll(s.leases());
    }
    assertFalse(settledAgain.contains(new LeaseId(1)), "step 1's settlement was confirmed");
    assertFalse(settledAgain.contains(new LeaseId(2)), "step 2's settlement was confirmed");
    assertFalse(settledAgain.contains(new LeaseId(9)), "step 9 was discarded: reopened instead");
  }

  /** Waits until the journal says these steps' settlements were confirmed. */
  void awaitSettledJournaled(PolicyVersion... versions) {
    TestProbe<Object> probe = learner.testKit.createTestProbe();
    probe.awaitAssert(
        WAIT,
        () -> {
          Set<PolicyVersion> settled = new HashSet<>();
          for (Object e : learnerEvents()) {
            if (e instanceof TrainingLedger.StepsSettled s) {
              settled.addAll(s.versions());
            }
          }
          assertTrue(settled.containsAll(List.of(versions)), "settled " + settled);
          return null;
        });
  }

  /** Waits until the learner's journal holds at least {@code count} events of this type. */
  void awaitJournaled(Class<?> type) {
    awaitJournaled(type, 1);
  }

  void awaitJournaled(Class<?> type, int count) {
    TestProbe<Object> probe = learner.testKit.createTestProbe();
    probe.awaitAssert(
        WAIT,
        () -> {
          assertTrue(
              learnerEvents().stream().filter(type::isInstance).count() >= count,
              count + " " + type.getSimpleName() + " journaled");
          return null;
        });
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
