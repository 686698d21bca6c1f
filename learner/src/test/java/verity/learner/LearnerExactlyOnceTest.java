package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.LeaseProtocol;
import verity.actors.protocol.LeaseProtocol.Settlement;
import verity.actors.protocol.TrainingEvent;
import verity.learner.LearnerSettings.StaleHandling;
import verity.learner.checkpoint.CheckpointSettings;

/**
 * The learner trains each lease at most once, and only while the task source holds it open: a group
 * delivered twice (a batch scored by two verifiers) forms one group, a lease whose claim is refused
 * (it expired and went out again while its trajectories queued) is not trained, and a run whose
 * checkpoint cannot be written stops instead of training on without one.
 */
class LearnerExactlyOnceTest {
  @TempDir Path dataDir;
  LearnerTesting learner;

  void start(int checkpointEvery) throws Exception {
    learner =
        new LearnerTesting(
            dataDir, LearnerTesting.settings(1e-2, 1000, StaleHandling.REJECT), checkpointEvery);
  }

  @AfterEach
  void stop() {
    learner.stop();
  }

  static List<LeaseId> leases(long... ids) {
    return java.util.Arrays.stream(ids).mapToObj(LeaseId::new).toList();
  }

  @Test
  void shouldTrainALeaseOnceWhenItsGroupIsDeliveredTwice() throws Exception {
    start(50);
    learner.intake.tell(LearnerStalenessTest.group(1, 0));
    learner.intake.tell(LearnerStalenessTest.group(1, 0)); // scored again by another verifier
    learner.intake.tell(LearnerStalenessTest.group(2, 0));
    assertEquals(PolicyVersion.of(1), learner.next(TrainingEvent.StepCompleted.class).version());
    learner.expectSettled(leases(1), Settlement.CONSUMED);
    TrainingEvent.StepCompleted second = learner.next(TrainingEvent.StepCompleted.class);
    learner.expectSettled(leases(2), Settlement.CONSUMED);
    assertEquals(0, second.duplicatesTotal());
    assertEquals(4, second.consumedTotal(), "two groups of two, not three");
    learner.assertNoEventWithin(
        Duration.ofSeconds(2),
        e -> e instanceof TrainingEvent.StepCompleted,
        "a third step: lease 1 trained twice");
  }

  @Test
  void shouldDropTheTrajectoriesOfALeaseWhoseClaimIsRefused() throws Exception {
    start(50);
    learner.refusedClaims.add(new LeaseId(1));
    learner.intake.tell(LearnerStalenessTest.group(1, 0));
    assertEquals(leases(1), learner.nextTo(LeaseProtocol.ClaimLeases.class).leases());
    learner.intake.tell(LearnerStalenessTest.group(2, 0));
    TrainingEvent.StepCompleted step = learner.next(TrainingEvent.StepCompleted.class);
    assertEquals(2, step.consumedTotal());
    learner.expectSettled(leases(2), Settlement.CONSUMED);
  }

  @Test
  void shouldStopTheRunWithOneLineWhenACheckpointCannotBeWritten() throws Exception {
    Path checkpoints = dataDir.resolve("checkpoints");
    learner =
        new LearnerTesting(
            dataDir,
            LearnerTesting.settings(1e-2, 1000, StaleHandling.REJECT),
            new CheckpointSettings(checkpoints, 2, 3));
    learner.intake.tell(LearnerStalenessTest.group(1, 0));
    learner.next(TrainingEvent.StepCompleted.class);
    deleteTree(checkpoints);
    Files.writeString(checkpoints, "a file where the checkpoint directory was");

    learner.intake.tell(LearnerStalenessTest.group(2, 1));
    TrainingEvent.TrainingFailed failed = learner.next(TrainingEvent.TrainingFailed.class);
    assertTrue(failed.reason().contains("could not be written"), failed.reason());
    assertTrue(failed.reason().contains(checkpoints.toString()), failed.reason());
    assertFalse(failed.reason().contains("\n"), "one line");
    learner.intake.tell(LearnerStalenessTest.group(3, 2));
    learner.assertNoEventWithin(
        Duration.ofSeconds(2),
        e -> e instanceof TrainingEvent.StepCompleted s && s.version().value() > 2,
        "trained on without a checkpoint");
  }

  @Test
  void shouldSweepTheTemporariesOfAnInterruptedCheckpointWriteAtStart() throws Exception {
    Path checkpoints = Files.createDirectories(dataDir.resolve("checkpoints"));
    Path temporary = checkpoints.resolve(".ckpt-4711.tmp");
    Files.writeString(temporary, "half a checkpoint, its writer killed");
    start(50);
    learner.intake.tell(LearnerStalenessTest.group(1, 0));
    learner.next(TrainingEvent.StepCompleted.class);
    assertFalse(Files.exists(temporary));
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
