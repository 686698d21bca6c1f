package verity.learner.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.policy.Policy;
import verity.policy.PolicySpec;

class GrpoTrainerTest {
  static final PolicySpec SPEC = new PolicySpec(15, 0, 1, 2, 5, 3, 16, 32, 1);
  static final int[] PROMPT = {5, 13, 6, 14};
  static final int[] GOOD = {10, 2};
  static final int[] BAD = {7, 8, 2};

  static GrpoTrainer.Objective objective(double entropy) {
    return new GrpoTrainer.Objective(1e-2, 0.2, entropy, 1.0, 1f);
  }

  static float sum(float[] xs) {
    float s = 0;
    for (float x : xs) {
      s += x;
    }
    return s;
  }

  @Test
  void shouldRaiseTheLikelihoodOfTheAdvantagedCompletion() {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 3);
        GrpoTrainer trainer = new GrpoTrainer(policy, objective(0))) {
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
      assertTrue(sum(after[0]) > sum(before[0]) + 0.5, "good completion became likelier");
      assertTrue(sum(after[1]) < sum(before[1]) - 0.5, "bad completion became less likely");
      assertEquals(0.5, first.batchReward(), 1e-9);
      assertEquals(5, first.tokens());
      assertEquals(0.0, first.approxKl(), 1e-5, "on-policy: ratio 1");
      assertEquals(0.0, first.clipFraction(), 1e-9);
      assertTrue(first.gradNorm() > 0);
    }
  }

  @Test
  void shouldClipRatiosOfTokensFarFromTheBehaviourPolicy() {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 3);
        GrpoTrainer trainer = new GrpoTrainer(policy, objective(0))) {
      float[] farOff = {-20f, -20f};
      StepMetrics m =
          trainer.step(List.of(TrainingSample.completion(PROMPT, GOOD, farOff, 1f, 1f, 1.0, 3)));
      assertEquals(1.0, m.clipFraction(), 1e-6);
      assertEquals(3.0, m.meanStaleness(), 1e-9);
      assertTrue(m.approxKl() > 1.0);
    }
  }

  @Test
  void shouldRefuseANonFiniteLossAndLeaveTheWeightsAlone() {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 3);
        GrpoTrainer trainer = new GrpoTrainer(policy, objective(0.1))) {
      float[] before = policy.exportWeights(PolicyVersion.INITIAL).values();
      float[] poisoned = {Float.NaN, -1f};
      assertThrows(
          NonFiniteLossException.class,
          () ->
              trainer.step(
                  List.of(TrainingSample.completion(PROMPT, GOOD, poisoned, 1f, 1f, 1.0, 0))));
      assertArrayEquals(before, policy.exportWeights(PolicyVersion.INITIAL).values());
    }
  }

  @Test
  void shouldSkipTheUpdateWhenThereIsNothingToLearn() {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 3);
        GrpoTrainer trainer = new GrpoTrainer(policy, objective(0))) {
      float[] before = policy.exportWeights(PolicyVersion.INITIAL).values();
      float[] lp = policy.logProbs(new int[][] {PROMPT}, new int[][] {GOOD}, 1f)[0];
      StepMetrics m =
          trainer.step(List.of(TrainingSample.completion(PROMPT, GOOD, lp, 0f, 1f, 1.0, 0)));
      assertEquals(0.0, m.gradNorm());
      assertArrayEquals(before, policy.exportWeights(PolicyVersion.INITIAL).values());
    }
  }
}
