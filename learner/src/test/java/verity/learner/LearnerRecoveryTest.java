package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.LearnerProtocol;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.LeasesSettled;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.protocol.TrainingEvent;
import verity.learner.LearnerSettings.StaleHandling;

/**
 * A learner restarted on the same data directory continues from its newest good checkpoint: the
 * steps after it are discarded and their tasks leased again, and a lease a surviving step consumed
 * is never trained on again.
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

  /** Five steps on leases 1..5; checkpoints of v2 and v4 are journaled, v5 is not covered. */
  void trainFiveStepsThenStop() {
    for (long lease = 1; lease <= 5; lease++) {
      intake.tell(LearnerStalenessTest.group(lease, lease - 1));
      TrainingEvent.StepCompleted step = next(TrainingEvent.StepCompleted.class);
      assertEquals(new PolicyVersion(lease), step.version());
      assertEquals(0, step.duplicatesTotal());
      settlements.expectMessage(
          WAIT, new LeasesSettled(List.of(new LeaseId(lease)), Settlement.CONSUMED));
      if (lease % 2 == 0) {
        assertEquals(new PolicyVersion(lease), next(TrainingEvent.CheckpointSaved.class).version());
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
    LeaseProtocol.Command reopened = settlements.receiveMessage(WAIT);
    assertEquals(
        1,
        ((LeaseProtocol.TasksReopened) reopened).tasks().size(),
        "v5 came after the last checkpoint: its task is leased again");

    intake.tell(LearnerStalenessTest.group(3, 4)); // consumed by v3, which survived: dropped
    intake.tell(LearnerStalenessTest.group(5, 4)); // v5 was discarded: its lease is trained again
    TrainingEvent.StepCompleted step = next(TrainingEvent.StepCompleted.class);
    assertEquals(new PolicyVersion(5), step.version(), "the version continues from the checkpoint");
    assertEquals(4, step.resumedFromVersion());
    assertEquals(0, step.duplicatesTotal());
    settlements.expectMessage(
        WAIT, new LeasesSettled(List.of(new LeaseId(5)), Settlement.CONSUMED));
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
    LeaseProtocol.Command reopened = settlements.receiveMessage(WAIT);
    assertEquals(
        3,
        ((LeaseProtocol.TasksReopened) reopened).tasks().size(),
        "v3, v4 and v5 are lost with the corrupt file");

    intake.tell(LearnerStalenessTest.group(4, 2));
    TrainingEvent.StepCompleted step = next(TrainingEvent.StepCompleted.class);
    assertEquals(new PolicyVersion(3), step.version());
    assertEquals(2, step.resumedFromVersion());
  }
}
