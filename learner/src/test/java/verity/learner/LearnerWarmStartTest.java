package verity.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.learner.LearnerSettings.StaleHandling;
import verity.learner.checkpoint.CheckpointSettings;

/** The supervised warm start before RL, and what becomes of a learner whose start fails. */
class LearnerWarmStartTest {
  @TempDir Path dataDir;
  LearnerTesting learner;

  @AfterEach
  void stop() {
    if (learner != null) {
      learner.stop();
    }
  }

  static LearnerSettings warmStart(int steps) {
    return warmStart(steps, 1e-3);
  }

  /** The test settings with a warm start of {@code steps} steps of 2 at this learning rate. */
  static LearnerSettings warmStart(int steps, double learningRate) {
    LearnerSettings s = LearnerTesting.settings(1e-3, 0, StaleHandling.REJECT);
    return new LearnerSettings(
        s.batchGroups(),
        s.learningRate(),
        s.objective(),
        s.clip(),
        s.entropyCoefficient(),
        s.isTruncation(),
        s.behaviourWeight(),
        s.klCoefficient(),
        s.ppoEpochs(),
        s.minibatches(),
        s.maxGradNorm(),
        s.optimizer(),
        s.normalizeAdvantageStd(),
        s.maxStaleness(),
        s.staleHandling(),
        s.staleWeight(),
        s.maxSteps(),
        new LearnerSettings.WarmStart(steps, 2, learningRate),
        s.weightChunkValues(),
        s.shards(),
        s.seed());
  }

  /**
   * Demonstrations of 3+4=7 in the test spec's ids. Call {@code gateAt} waits for {@code gate};
   * calls from {@code failAt} on throw.
   */
  static DemonstrationSource demonstrations(
      AtomicInteger calls, int gateAt, CountDownLatch gate, int failAt) {
    return n -> {
      int call = calls.incrementAndGet();
      if (call == gateAt) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (call >= failAt) {
        throw new IllegalStateException("demonstrations ran dry");
      }
      int[][] prompts = new int[n][];
      int[][] completions = new int[n][];
      for (int i = 0; i < n; i++) {
        prompts[i] = new int[] {6, 13, 7, 14};
        completions[i] = new int[] {10, 2};
      }
      return new DemonstrationSource.Demonstrations(prompts, completions);
    };
  }

  /**
   * A replica that cannot start (here its warm start fails) fails the learner with an error that
   * names the cause, so its supervisor starts it again. It used to throw inside the message
   * adapter, which Akka turns into a signal: nothing was logged and the run waited forever.
   */
  @Test
  void shouldFailLoudlyWhenItsReplicaCannotStart() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    learner =
        new LearnerTesting(
            dataDir,
            warmStart(30),
            new CheckpointSettings(dataDir.resolve("checkpoints"), 50, 3),
            demonstrations(new AtomicInteger(), 3, release, 3));
    LoggingTestKit.error("learner replica failed to start")
        .withMessageContains("demonstrations ran dry")
        .expect(
            learner.testKit.system(),
            () -> {
              release.countDown();
              return null;
            });
  }

  /** Warm-start steps whose loss or gradient is not finite are skipped; a run of them fails. */
  @Test
  void shouldGiveUpAWarmStartWhoseWeightsWentBad() throws Exception {
    // A learning rate this large sends the weights to infinity on the first update.
    LearnerSettings blowUp = warmStart(30, 1e38);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    learner =
        new LearnerTesting(
            dataDir,
            blowUp,
            new CheckpointSettings(dataDir.resolve("checkpoints"), 50, 3),
            demonstrations(calls, 1, gate, 1_000));
    LoggingTestKit.error("learner replica failed to start")
        .withMessageContains("step skipped, weights unchanged")
        .expect(
            learner.testKit.system(),
            () -> {
              gate.countDown();
              return null;
            });
    // One step that sent the weights to infinity, then the skipped ones, then no more.
    assertEquals(1 + LearnerBootstrap.MAX_SKIPPED_IN_A_ROW, calls.get());
  }
}
