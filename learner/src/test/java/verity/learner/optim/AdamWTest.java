package verity.learner.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import verity.actors.weights.FlatWeights;
import verity.policy.CharacterTokenizer;
import verity.policy.Policy;
import verity.policy.PolicySpec;

class AdamWTest {
  static final PolicySpec SPEC =
      new PolicySpec(new CharacterTokenizer(List.of("0", "1", "2", "+", "=")), 5, 3, 8, 16, 1);

  static AdamW adam(Policy policy, double learningRate, double weightDecay) {
    return new AdamW(
        policy.parameters(),
        policy.model().getNDManager(),
        LearningRateSchedule.constant(learningRate),
        weightDecay);
  }

  static float[] randomGradient(Policy policy, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] g = new float[Math.toIntExact(policy.parameterCount())];
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) (r.nextGaussian() * (i % 7 == 0 ? 3 : 0.01));
    }
    return g;
  }

  /**
   * PyTorch's AdamW as its documentation writes it, in doubles: decay, moments, bias-corrected
   * update; rank-one tensors are not decayed.
   */
  static final class Reference {
    final double[] w;
    final double[] m;
    final double[] v;
    final boolean[] decays;
    long t;

    Reference(FlatWeights start) {
      float[] values = start.values().flatten();
      w = new double[values.length];
      for (int i = 0; i < w.length; i++) {
        w[i] = values[i];
      }
      m = new double[w.length];
      v = new double[w.length];
      decays = new boolean[w.length];
      int offset = 0;
      for (int[] shape : start.header().shapes()) {
        int size = 1;
        for (int d : shape) {
          size *= d;
        }
        for (int i = 0; i < size; i++) {
          decays[offset + i] = shape.length > 1;
        }
        offset += size;
      }
    }

    void step(float[] g, double rescale, double lr, double wd) {
      t++;
      for (int i = 0; i < w.length; i++) {
        double gi = g[i] * rescale;
        if (decays[i]) {
          w[i] -= lr * wd * w[i];
        }
        m[i] = 0.9 * m[i] + 0.1 * gi;
        v[i] = 0.999 * v[i] + 0.001 * gi * gi;
        double mHat = m[i] / (1 - Math.pow(0.9, t));
        double vHat = v[i] / (1 - Math.pow(0.999, t));
        w[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
      }
    }
  }

  @Test
  void shouldMatchPyTorchsAdamWWithDecayScheduleAndRescale() {
    LearningRateSchedule schedule =
        new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1e-2, 2, 6, 0.1);
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 1);
        AdamW adam = new AdamW(policy.parameters(), policy.model().getNDManager(), schedule, 0.1)) {
      policy.enableGradients();
      Reference ref = new Reference(policy.exportWeights(policy.version()));
      for (int step = 1; step <= 7; step++) {
        float[] g = randomGradient(policy, step);
        policy.parameters().loadGradients(g);
        double rescale = step == 3 ? 0.25 : 1.0;
        adam.step(rescale);
        ref.step(g, rescale, schedule.at(step), 0.1);
      }
      float[] got = policy.exportWeights(policy.version()).values().flatten();
      double worst = 0;
      for (int i = 0; i < got.length; i++) {
        worst = Math.max(worst, Math.abs(got[i] - ref.w[i]));
      }
      assertTrue(worst < 2e-6, "largest difference from the reference: " + worst);
      assertEquals(7, adam.steps());
    }
  }

  @Test
  void shouldNotDecayBiasesAndNormScales() {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 1);
        AdamW adam = adam(policy, 0.1, 0.5)) {
      policy.enableGradients();
      FlatWeights before = policy.exportWeights(policy.version());
      policy
          .parameters()
          .loadGradients(new float[Math.toIntExact(before.values().length())]); // zero gradient
      adam.step(1.0);
      FlatWeights after = policy.exportWeights(policy.version());
      float[] beforeValues = before.values().flatten();
      float[] afterValues = after.values().flatten();
      int offset = 0;
      int decayed = 0;
      for (int[] shape : before.header().shapes()) {
        int size = Math.toIntExact(verity.actors.weights.WeightsHeader.elements(shape));
        for (int i = offset; i < offset + size; i++) {
          float expected = shape.length > 1 ? beforeValues[i] * 0.95f : beforeValues[i];
          assertEquals(expected, afterValues[i], 1e-6f, "value " + i + " of shape " + shape.length);
        }
        decayed += shape.length > 1 ? 1 : 0;
        offset += size;
      }
      assertTrue(decayed > 0 && decayed < before.header().shapes().size(), "both kinds present");
    }
  }

  @Test
  void shouldComputeTheGlobalNormOnTheDevice() {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 1);
        AdamW adam = adam(policy, 1e-3, 0)) {
      policy.enableGradients();
      float[] g = randomGradient(policy, 9);
      policy.parameters().loadGradients(g);
      assertEquals(Gradients.norm(g), adam.gradientNorm(), 1e-4 * Gradients.norm(g));
      g[17] = Float.NaN;
      policy.parameters().loadGradients(g);
      assertTrue(Double.isNaN(adam.gradientNorm()));
    }
  }

  @Test
  void shouldContinueFromItsSavedStateAsIfNeverInterrupted() {
    LearningRateSchedule schedule = LearningRateSchedule.constant(5e-3);
    try (Policy straight = Policy.create(SPEC, Device.cpu(), 1);
        Policy resumed = Policy.create(SPEC, Device.cpu(), 2);
        AdamW a =
            new AdamW(straight.parameters(), straight.model().getNDManager(), schedule, 0.01);
        AdamW b = new AdamW(resumed.parameters(), resumed.model().getNDManager(), schedule, 0.01)) {
      straight.enableGradients();
      resumed.enableGradients();
      for (int step = 1; step <= 3; step++) {
        straight.parameters().loadGradients(randomGradient(straight, step));
        a.step(1.0);
      }
      OptimizerState saved = a.state();
      assertEquals(3, saved.steps());
      assertEquals(straight.parameters().names().size(), saved.m().size(), "per tensor");
      resumed.importWeights(straight.exportWeights(straight.version()));
      b.load(saved);
      for (int step = 4; step <= 5; step++) {
        straight.parameters().loadGradients(randomGradient(straight, step));
        a.step(1.0);
        resumed.parameters().loadGradients(randomGradient(resumed, step));
        b.step(1.0);
      }
      assertArrayEquals(
          straight.exportWeights(straight.version()).values().flatten(),
          resumed.exportWeights(resumed.version()).values().flatten());
      assertEquals(5, b.steps());
    }
  }

  @Test
  void shouldPutBackWeightsAndMomentsFromASnapshot() {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 1);
        AdamW adam = adam(policy, 1e-2, 0)) {
      policy.enableGradients();
      policy.parameters().loadGradients(randomGradient(policy, 1));
      adam.step(1.0);
      float[] weights = policy.exportWeights(policy.version()).values().flatten();
      OptimizerState state = adam.state();
      try (AdamW.Snapshot s = adam.snapshot()) {
        policy.parameters().loadGradients(randomGradient(policy, 2));
        adam.step(1.0);
        assertNotEquals(
            java.util.Arrays.toString(weights),
            java.util.Arrays.toString(policy.exportWeights(policy.version()).values().flatten()));
        adam.restore(s);
      }
      assertArrayEquals(weights, policy.exportWeights(policy.version()).values().flatten());
      assertEquals(1, adam.steps());
      assertArrayEquals(state.flatM(), adam.state().flatM());
      assertArrayEquals(state.flatV(), adam.state().flatV());
    }
  }

  @Test
  void shouldRefuseTheStateOfAnotherArchitecture() {
    try (Policy policy = Policy.create(SPEC, Device.cpu(), 1);
        AdamW adam = adam(policy, 1e-2, 0)) {
      OptimizerState wrong = OptimizerState.zeros(List.of(3, 4));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> adam.load(wrong));
      assertTrue(e.getMessage().contains("2 tensors"), e.getMessage());
    }
  }
}
