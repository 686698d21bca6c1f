package verity.learner.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.StepMetrics;
import verity.policy.Policy;

/**
 * PPO and decoupled PPO as published (Schulman et al. 2017; Fu et al. 2025, after Hilton et al.
 * 2022): several updates per batch so the clip binds, the proximal policy held fixed over them,
 * AReaL's filter and truncation of the behaviour importance weight, and the k3 KL penalty to a
 * frozen reference, on the tiny policy of {@link GrpoTrainerTest}, checked against hand
 * computations where that is cheap.
 */
class PublishedObjectivesTest {
  static final int[] PROMPT = GrpoTrainerTest.PROMPT;
  static final int[] GOOD = GrpoTrainerTest.GOOD;
  static final double LEARNING_RATE = 3e-2;
  static final UpdateSchedule SEVERAL = new UpdateSchedule(4, 2, 7);

  static Objective decoupled() {
    return new Objective(Objective.Kind.DECOUPLED_PPO, 0.2, 0.0, 2.0, 1f);
  }

  static Objective ppo() {
    return new Objective(Objective.Kind.PPO, 0.2, 0.0, 2.0, 1f);
  }

  /** Eight completions of varied prompts, behaviour log-probs from the policy, advantages +-1. */
  static List<TrainingSample> onPolicyBatch(Policy policy) {
    SplittableRandom random = new SplittableRandom(11);
    int n = 8;
    int[][] prompts = new int[n][];
    int[][] completions = new int[n][];
    for (int i = 0; i < n; i++) {
      prompts[i] = new int[] {3 + random.nextInt(10), 13, 3 + random.nextInt(10), 14};
      int length = 2 + random.nextInt(2);
      completions[i] = new int[length];
      for (int t = 0; t < length - 1; t++) {
        completions[i][t] = 3 + random.nextInt(10);
      }
      completions[i][length - 1] = 2;
    }
    float[][] behaviour = policy.logProbs(prompts, completions, 1f);
    List<TrainingSample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float advantage = i % 2 == 0 ? 1f : -1f;
      out.add(
          TrainingSample.completion(
              prompts[i], completions[i], behaviour[i], advantage, 1f, 0.5, 0));
    }
    return out;
  }

  static float[] weights(Policy p) {
    return p.exportWeights(p.version()).values().flatten();
  }

  @Test
  void shouldBindTheClipAgainstTheProximalPolicyOnlyWhenABatchMakesSeveralUpdates() {
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      StepMetrics one =
          new GrpoTrainer(policy, decoupled(), UpdateSchedule.SINGLE, LEARNING_RATE, 1.0)
              .step(onPolicyBatch(policy));
      assertEquals(0.0, one.proximalClipFraction(), "first update: ratio to proximal is 1");
      assertEquals(1, one.updates());
    }
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      StepMetrics several =
          new GrpoTrainer(policy, decoupled(), SEVERAL, LEARNING_RATE, 1.0)
              .step(onPolicyBatch(policy));
      assertEquals(8, several.updates());
      assertTrue(
          several.proximalClipFraction() > 0,
          "later updates move the ratio out of [0.8, 1.2]: " + several.proximalClipFraction());
      assertTrue(Double.isNaN(several.behaviourClipFraction()), "decoupled clips no behaviour");
      assertEquals(PolicyVersion.INITIAL, policy.version(), "the caller publishes one version");
    }
  }

  @Test
  void shouldMoveTheBehaviourRatioOfPpoWithSeveralEpochs() {
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      StepMetrics one =
          new GrpoTrainer(policy, ppo(), UpdateSchedule.SINGLE, LEARNING_RATE, 1.0)
              .step(onPolicyBatch(policy));
      assertEquals(0.0, one.behaviourClipFraction(), 1e-9);
    }
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      StepMetrics several =
          new GrpoTrainer(policy, ppo(), new UpdateSchedule(4, 1, 7), LEARNING_RATE, 1.0)
              .step(onPolicyBatch(policy));
      assertEquals(4, several.updates());
      assertTrue(several.behaviourClipFraction() > 0, "" + several.behaviourClipFraction());
      assertTrue(Double.isNaN(several.proximalClipFraction()));
    }
  }

  /**
   * With fresh samples the behaviour policy is the policy before the batch, so if the proximal
   * policy is held fixed at it over every update, decoupled PPO's weights are all 1 and its ratio
   * is PPO's: both end with the same weights. A proximal policy recomputed per update would not.
   */
  @Test
  void shouldHoldTheProximalPolicyFixedOverTheBatchsUpdates() {
    // PyTorch's CPU kernels are not bitwise reproducible from run to run (a seen CI failure: the
    // two runs' weights apart by 0.14 after 8 updates at learning rate 3e-2), and a token whose
    // ratio lies within rounding of the clip boundary is clipped in one run and not in the other,
    // which the later updates amplify. A proximal policy that is not held fixed differs on every
    // attempt; rounding differs on few. So the pair is compared up to three times.
    AssertionError last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        comparePpoWithDecoupledOnFreshSamples();
        return;
      } catch (AssertionError e) {
        last = e;
      }
    }
    throw last;
  }

  private static void comparePpoWithDecoupledOnFreshSamples() {
    float[] afterPpo;
    double ppoClip;
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      ppoClip =
          new GrpoTrainer(policy, ppo(), SEVERAL, LEARNING_RATE, 1.0)
              .step(onPolicyBatch(policy))
              .behaviourClipFraction();
      afterPpo = weights(policy);
    }
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      float[] before = weights(policy);
      StepMetrics m =
          new GrpoTrainer(policy, decoupled(), SEVERAL, LEARNING_RATE, 1.0)
              .step(onPolicyBatch(policy));
      float[] after = weights(policy);
      assertArrayEquals(afterPpo, after, 1e-4f);
      assertEquals(ppoClip, m.proximalClipFraction(), 1e-9);
      assertEquals(0.0, m.truncatedFraction(), 1e-9);
      assertTrue(maxDifference(before, after) > 1e-2, "the updates moved the weights");
    }
  }

  @Test
  void shouldDropATokenAboveTheCapWithTheFilterAndWeightItAtTheCapWithTruncation() {
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      GradientComputer gradients = new GradientComputer(policy);
      float[] p = policy.logProbs(new int[][] {PROMPT}, new int[][] {GOOD}, 1f)[0];
      // Token 0: proximal/behaviour = e^5 > cap 2. Token 1: weight 1.
      float[] behaviour = {p[0] - 5f, p[1]};
      TrainingSample both = TrainingSample.completion(PROMPT, GOOD, behaviour, 1f, 1f, 1.0, 0);
      Objective filter = decoupled().withBehaviourWeight(Objective.BehaviourWeight.FILTER);

      GradientComputer.Result filtered =
          gradients.compute(List.of(both), filter, 2).perKeptToken(2);
      assertEquals(0.5, filtered.sums().droppedFraction(), 1e-9);
      assertEquals(0.0, filtered.sums().truncatedFraction(), 1e-9);
      assertEquals(1.0, filtered.sums().kept(), 1e-9);
      // By hand: ratio 1 at the first update, so loss = -(w1 A) / kept = -(1 * 1) / 1.
      assertEquals(-1.0, filtered.sums().meanLoss(), 1e-4);

      // The same batch without token 0 in the loss (not sampled by the policy): same gradient.
      TrainingSample withoutToken0 =
          new TrainingSample(PROMPT, GOOD, new boolean[] {false, true}, behaviour, 1f, 1f, 1.0, 0);
      GradientComputer.Result without =
          gradients.compute(List.of(withoutToken0), decoupled(), 1).perKeptToken(1);
      assertEquals(1.0, without.sums().tokens(), 1e-9);
      assertArrayEquals(without.gradient(), filtered.gradient(), 1e-6f);

      // Truncation keeps it, with weight = cap: the gradient of a behaviour log-prob whose weight
      // is exactly the cap. By hand: loss = -(2 * 1 + 1 * 1) / 2.
      GradientComputer.Result truncated =
          gradients.compute(List.of(both), decoupled(), 2).perKeptToken(2);
      assertEquals(0.5, truncated.sums().truncatedFraction(), 1e-9);
      assertEquals(0.0, truncated.sums().droppedFraction(), 1e-9);
      assertEquals(2.0, truncated.sums().kept(), 1e-9);
      assertEquals(-1.5, truncated.sums().meanLoss(), 1e-4);
      float[] atCap = {p[0] - (float) Math.log(2.0), p[1]};
      GradientComputer.Result capped =
          gradients
              .compute(
                  List.of(TrainingSample.completion(PROMPT, GOOD, atCap, 1f, 1f, 1.0, 0)),
                  decoupled(),
                  2)
              .perKeptToken(2);
      assertArrayEquals(capped.gradient(), truncated.gradient(), 1e-6f);
      assertTrue(maxDifference(truncated.gradient(), filtered.gradient()) > 1e-4);
    }
  }

  @Test
  void shouldReportTheDroppedFractionOfAStep() {
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      float[] p = policy.logProbs(new int[][] {PROMPT}, new int[][] {GOOD}, 1f)[0];
      float[] behaviour = {p[0] - 5f, p[1]};
      StepMetrics m =
          new GrpoTrainer(
                  policy,
                  decoupled().withBehaviourWeight(Objective.BehaviourWeight.FILTER),
                  LEARNING_RATE,
                  1.0)
              .step(List.of(TrainingSample.completion(PROMPT, GOOD, behaviour, 1f, 1f, 1.0, 1)));
      assertEquals(0.5, m.droppedFraction(), 1e-9);
      assertTrue(Double.isNaN(m.truncatedFraction()));
      assertEquals(2, m.tokens(), "the batch's tokens, dropped ones included");
    }
  }

  @Test
  void shouldStartTheKlToTheReferenceAtZeroAndGrowItWithUpdates() {
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      GrpoTrainer trainer =
          new GrpoTrainer(
              policy, ppo().withKlCoefficient(0.1), UpdateSchedule.SINGLE, LEARNING_RATE, 1.0);
      StepMetrics first = trainer.step(onPolicyBatch(policy));
      assertEquals(0.0, first.referenceKl(), 1e-6, "policy = reference");
      StepMetrics last = first;
      for (int i = 0; i < 5; i++) {
        last = trainer.step(onPolicyBatch(policy));
      }
      assertTrue(last.referenceKl() > 1e-3, "drifted from the reference: " + last.referenceKl());
    }
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      StepMetrics off =
          new GrpoTrainer(policy, ppo(), LEARNING_RATE, 1.0).step(onPolicyBatch(policy));
      assertTrue(Double.isNaN(off.referenceKl()), "no penalty, no reference");
    }
  }

  @Test
  void shouldScaleTheKlGradientWithItsCoefficientAndMatchTheK3ByHand() {
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      List<TrainingSample> batch = onPolicyBatch(policy);
      GradientComputer gradients = new GradientComputer(policy);
      List<float[]> reference = gradients.logProbs(batch, 1f);
      GrpoTrainer mover = new GrpoTrainer(policy, ppo(), LEARNING_RATE, 1.0);
      for (int i = 0; i < 3; i++) {
        mover.step(onPolicyBatch(policy));
      }
      // Advantages 0: the KL penalty is the whole loss.
      List<TrainingSample> flat = new ArrayList<>();
      for (TrainingSample s : batch) {
        flat.add(
            TrainingSample.completion(
                s.prompt(), s.tokens(), s.behaviourLogProbs(), 0f, 1f, 0.0, 0));
      }
      HeldLogProbs held = new HeldLogProbs(null, reference);
      double tokens = BatchStatistics.tokens(flat);
      LossSums smallSums = gradients.backward(flat, ppo().withKlCoefficient(0.1), tokens, held);
      float[] small = policy.gradients();
      gradients.backward(flat, ppo().withKlCoefficient(0.4), tokens, held);
      float[] large = policy.gradients();
      assertTrue(verity.learner.optim.Gradients.norm(small) > 0);
      float[] scaled = small.clone();
      for (int i = 0; i < scaled.length; i++) {
        scaled[i] *= 4f;
      }
      assertArrayEquals(scaled, large, 1e-5f);

      // k3 by hand: mean over tokens of exp(q - l) - (q - l) - 1.
      List<float[]> now = gradients.logProbs(flat, 1f);
      double sum = 0;
      int n = 0;
      for (int i = 0; i < flat.size(); i++) {
        for (int t = 0; t < flat.get(i).tokens().length; t++) {
          double d = reference.get(i)[t] - now.get(i)[t];
          sum += Math.exp(d) - d - 1;
          n++;
        }
      }
      assertTrue(sum / n > 1e-4, "the policy moved away from the reference");
      assertEquals(sum / n, smallSums.meanReferenceKl(), 1e-5);
    }
  }

  @Test
  void shouldLeaveWeightsAndOptimizerAsTheyWereWhenALaterUpdateIsNotFinite() {
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 3)) {
      GrpoTrainer trainer = new GrpoTrainer(policy, ppo(), SEVERAL, LEARNING_RATE, 1.0);
      List<TrainingSample> batch = new ArrayList<>(onPolicyBatch(policy));
      // Poison a sample outside the first minibatch: the first update is applied, then undone.
      int[] first = SEVERAL.minibatchesOf(batch.size(), 0).get(0);
      int victim = 0;
      while (contains(first, victim)) {
        victim++;
      }
      TrainingSample s = batch.get(victim);
      float[] poisoned = s.behaviourLogProbs().clone();
      poisoned[0] = Float.NaN;
      batch.set(
          victim,
          TrainingSample.completion(s.prompt(), s.tokens(), poisoned, s.advantage(), 1f, 1.0, 0));
      float[] before = weights(policy);
      assertThrows(NonFiniteLossException.class, () -> trainer.step(batch));
      assertArrayEquals(before, weights(policy));
      assertEquals(0, trainer.optimizerState().steps());
      assertEquals(1, trainer.skipped());
    }
  }

  static boolean contains(int[] xs, int x) {
    for (int y : xs) {
      if (y == x) {
        return true;
      }
    }
    return false;
  }

  static double maxDifference(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
