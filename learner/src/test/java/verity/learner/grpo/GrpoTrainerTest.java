package verity.learner.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.learner.checkpoint.Checkpoint;
import verity.learner.checkpoint.CheckpointRef;
import verity.learner.checkpoint.CheckpointStore;
import verity.learner.checkpoint.CheckpointWriter;
import verity.policy.CharacterTokenizer;
import verity.policy.Policy;
import verity.policy.PolicySpec;

class GrpoTrainerTest {
  static final PolicySpec SPEC =
      new PolicySpec(
          new CharacterTokenizer(
              List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "=")),
          5,
          3,
          16,
          32,
          1);
  static final int[] PROMPT = {5, 13, 6, 14};
  static final int[] GOOD = {10, 2};
  static final int[] BAD = {7, 8, 2};

  static GrpoTrainer trainer(Policy policy, Objective.Kind kind, double entropy) {
    return new GrpoTrainer(policy, new Objective(kind, 0.2, entropy, 2.0, 1f), 1e-2, 1.0);
  }

  static float sum(float[] xs) {
    float s = 0;
    for (float x : xs) {
      s += x;
    }
    return s;
  }

  static float[] weights(Policy p) {
    return p.exportWeights(p.version()).values().flatten();
  }

  @Test
  void shouldRaiseTheLikelihoodOfTheAdvantagedCompletion() {
    for (Objective.Kind kind :
        new Objective.Kind[] {Objective.Kind.PPO, Objective.Kind.DECOUPLED_PPO}) {
      try (Policy policy = Policy.create(SPEC, Device.cpu(), 3)) {
        GrpoTrainer trainer = trainer(policy, kind, 0);
        int[][] prompts = {PROMPT, PROMPT};
        int[][] completions = {GOOD, BAD};
        float[][] before = policy.logProbs(prompts, completions, 1f);
        StepMetrics first = null;
        for (int i = 0; i < 10; i++) {
          float[][] now = policy.logProbs(prompts, completions, 1f);
          StepMetrics m =
              trainer.step(
                  List.of(
                      TrainingSample.completion(PROMPT, GOOD, now[0], 1f, 1f, 1.0, 0),
                      TrainingSample.completion(PROMPT, BAD, now[1], -1f, 1f, 0.0, 0)));
          first = first == null ? m : first;
        }
        float[][] after = policy.logProbs(prompts, completions, 1f);
        assertTrue(
            sum(after[0]) > sum(before[0]) + 0.5, kind + ": good completion became likelier");
        assertTrue(
            sum(after[1]) < sum(before[1]) - 0.5, kind + ": bad completion became less likely");
        assertEquals(0.5, first.batchReward(), 1e-9);
        assertEquals(0.5, first.solvedFraction(), 1e-9, "one of the two has a positive reward");
        assertEquals(5, first.tokens());
        assertEquals(0.0, first.approxKl(), 1e-5, "on-policy: ratio 1");
        assertEquals(
            0.0,
            kind == Objective.Kind.PPO
                ? first.behaviourClipFraction()
                : first.proximalClipFraction(),
            1e-9);
        assertEquals(1, first.updates());
        assertTrue(first.gradNorm() > 0);
      }
    }
  }

  @Test
  void shouldWriteFromTheDeviceTheSameCheckpointItHoldsAndResumeFromIt(@TempDir Path dir)
      throws Exception {
    CheckpointStore store = new CheckpointStore(dir);
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 3);
        Policy resumed = Policy.create(SPEC, Device.cpu(), 4);
        GrpoTrainer trainer = trainer(policy, Objective.Kind.PPO, 0.01);
        GrpoTrainer other = trainer(resumed, Objective.Kind.PPO, 0.01)) {
      int[][] prompts = {PROMPT, PROMPT};
      int[][] completions = {GOOD, BAD};
      for (int i = 0; i < 3; i++) {
        float[][] now = policy.logProbs(prompts, completions, 1f);
        trainer.step(
            List.of(
                TrainingSample.completion(PROMPT, GOOD, now[0], 1f, 1f, 1.0, 0),
                TrainingSample.completion(PROMPT, BAD, now[1], -1f, 1f, 0.0, 0)));
      }
      Checkpoint held = trainer.checkpoint(PolicyVersion.of(3));
      Checkpoint back = store.load(store.save(trainer.liveCheckpoint(PolicyVersion.of(3))));
      assertArrayEquals(held.weights().values().flatten(), back.weights().values().flatten());
      assertEquals(held.weights().header(), back.weights().header());
      assertArrayEquals(held.optimizer().flatM(), back.optimizer().flatM());
      assertArrayEquals(held.optimizer().flatV(), back.optimizer().flatV());
      assertEquals(3, back.optimizer().steps());

      other.restore(back);
      assertEquals(trainer.weightsChecksum(), other.weightsChecksum());
    }
  }

  @Test
  void shouldComputeTheNextStepWhileACheckpointIsWrittenButUpdateOnlyAfterIt(@TempDir Path dir)
      throws Exception {
    CheckpointStore store = new CheckpointStore(dir);
    ExecutorService thread = Executors.newSingleThreadExecutor();
    CountDownLatch diskFree = new CountDownLatch(1);
    thread.execute(
        () -> {
          try {
            diskFree.await(); // a slow disk: the writer's thread is busy until released
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 3);
        GrpoTrainer trainer = trainer(policy, Objective.Kind.PPO, 0.01);
        CheckpointWriter writer = new CheckpointWriter(store, thread)) {
      float[] atV1 = weights(policy);
      CompletableFuture<CheckpointRef> written = trainer.checkpoint(writer, PolicyVersion.of(1));
      float[][] now = policy.logProbs(new int[][] {PROMPT, PROMPT}, new int[][] {GOOD, BAD}, 1f);
      CompletableFuture<StepMetrics> next =
          CompletableFuture.supplyAsync(
              () ->
                  trainer.step(
                      List.of(
                          TrainingSample.completion(PROMPT, GOOD, now[0], 1f, 1f, 1.0, 0),
                          TrainingSample.completion(PROMPT, BAD, now[1], -1f, 1f, 0.0, 0))));
      Thread.sleep(1000);
      assertFalse(next.isDone(), "the update waits for the checkpoint");
      assertArrayEquals(atV1, weights(policy), "nothing changed the weights meanwhile");
      diskFree.countDown();
      assertTrue(next.get(30, TimeUnit.SECONDS).gradNorm() > 0);
      Checkpoint back = store.load(written.get(30, TimeUnit.SECONDS));
      assertArrayEquals(atV1, back.weights().values().flatten(), "the checkpoint holds v1, not v2");
      assertFalse(Arrays.equals(atV1, weights(policy)), "then the step updated the weights");
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void shouldClipUncorrectedRatiosButTruncateImportanceWeightsWhenDecoupled() {
    float[] farOff = {-20f, -20f};
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 3)) {
      StepMetrics ppo =
          trainer(policy, Objective.Kind.PPO, 0)
              .step(List.of(TrainingSample.completion(PROMPT, GOOD, farOff, 1f, 1f, 1.0, 3)));
      assertEquals(1.0, ppo.behaviourClipFraction(), 1e-6);
      assertTrue(Double.isNaN(ppo.proximalClipFraction()), "ppo has no proximal ratio");
      assertTrue(Double.isNaN(ppo.truncatedFraction()), "ppo weights no token");
      assertEquals(3.0, ppo.meanStaleness(), 1e-9);
      assertEquals(1, ppo.stalenessHistogram()[3]);
      assertTrue(ppo.approxKl() > 1.0);
    }
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 3)) {
      StepMetrics decoupled =
          trainer(policy, Objective.Kind.DECOUPLED_PPO, 0)
              .step(List.of(TrainingSample.completion(PROMPT, GOOD, farOff, 1f, 1f, 1.0, 3)));
      assertEquals(
          1.0, decoupled.truncatedFraction(), 1e-6, "weights far above c = 2 are truncated");
      assertTrue(Double.isNaN(decoupled.behaviourClipFraction()), "no behaviour ratio is clipped");
      assertEquals(0.0, decoupled.proximalClipFraction(), 1e-9, "one update: ratio 1");
      assertTrue(decoupled.gradNorm() > 0, "the stale sample still teaches, corrected");
    }
  }

  @Test
  void shouldSkipANonFiniteStepAndLeaveTheWeightsAlone() {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 3)) {
      GrpoTrainer trainer = trainer(policy, Objective.Kind.DECOUPLED_PPO, 0.1);
      float[] before = weights(policy);
      float[] poisoned = {Float.NaN, -1f};
      assertThrows(
          NonFiniteLossException.class,
          () ->
              trainer.step(
                  List.of(TrainingSample.completion(PROMPT, GOOD, poisoned, 1f, 1f, 1.0, 0))));
      assertThrows(
          NonFiniteLossException.class,
          () ->
              trainer.step(
                  List.of(
                      TrainingSample.completion(
                          PROMPT,
                          GOOD,
                          new float[] {-1f, -1f},
                          Float.POSITIVE_INFINITY,
                          1f,
                          1.0,
                          0))));
      assertEquals(2, trainer.skipped());
      assertArrayEquals(before, weights(policy));

      // The skipped steps leave nothing behind: the next finite step trains normally.
      float[] now = policy.logProbs(new int[][] {PROMPT}, new int[][] {GOOD}, 1f)[0];
      StepMetrics m =
          trainer.step(List.of(TrainingSample.completion(PROMPT, GOOD, now, 1f, 1f, 1.0, 0)));
      assertTrue(Double.isFinite(m.gradNorm()) && m.gradNorm() > 0, "gradient " + m.gradNorm());
      assertTrue(
          weights(policy)[0] != before[0] || !java.util.Arrays.equals(weights(policy), before));
      assertEquals(2, trainer.skipped());
    }
  }

  @Test
  void shouldNotMoveTheWeightsWhenThereIsNothingToLearn() {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 3)) {
      GrpoTrainer trainer = trainer(policy, Objective.Kind.DECOUPLED_PPO, 0);
      float[] before = weights(policy);
      float[] lp = policy.logProbs(new int[][] {PROMPT}, new int[][] {GOOD}, 1f)[0];
      StepMetrics m =
          trainer.step(List.of(TrainingSample.completion(PROMPT, GOOD, lp, 0f, 1f, 1.0, 0)));
      assertEquals(0.0, m.gradNorm());
      assertArrayEquals(before, weights(policy));
      assertEquals(PolicyVersion.INITIAL, policy.version());
    }
  }
}
