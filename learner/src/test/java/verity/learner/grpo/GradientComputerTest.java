package verity.learner.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import verity.policy.Policy;
import verity.policy.transformer.TransformerPolicy;
import verity.policy.transformer.TransformerSizes;

/**
 * The gradient of a batch does not depend on what the garbage collector does meanwhile. DJL's
 * arithmetic with a Java number ({@code x.mul(0.5f)}) builds the constant as a tensor over a direct
 * buffer and closes it at once, while autograd keeps that tensor for the backward pass; a
 * collection then frees its memory, the next allocation reuses it, and the backward pass reads
 * whatever is there (the non-finite and the finite-but-wrong gradients that came and went in CI and
 * in dev runs).
 */
class GradientComputerTest {
  private static final int REPEATS = 40;

  /** Frees unreachable direct buffers and fills the memory they leave with NaN, until stopped. */
  private static final class MemoryChurn implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong collections = new AtomicLong();
    private final Thread thread =
        new Thread(
            () -> {
              while (!stop.get()) {
                System.gc();
                collections.incrementAndGet();
                List<ByteBuffer> reuse = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                  ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                  b.putFloat(0, Float.NaN);
                  reuse.add(b);
                }
                reuse.clear();
              }
            },
            "memory-churn");

    MemoryChurn() {
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join();
    }
  }

  private static List<TrainingSample> batch(Policy policy, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<TrainingSample> out = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      int[] prompt = {3 + random.nextInt(10), 13, 3 + random.nextInt(10), 14};
      int[] completion = new int[1 + random.nextInt(3)];
      for (int t = 0; t < completion.length - 1; t++) {
        completion[t] = 3 + random.nextInt(10);
      }
      completion[completion.length - 1] = 2;
      float[] behaviour =
          policy.logProbs(new int[][] {prompt}, new int[][] {completion}, 1f)[0].clone();
      for (int t = 0; t < behaviour.length; t++) {
        behaviour[t] -= (float) (random.nextDouble() * 0.3);
      }
      float advantage = (float) (random.nextDouble() * 2 - 1);
      out.add(TrainingSample.completion(prompt, completion, behaviour, advantage, 1f, 0.5, 1));
    }
    return out;
  }

  /** How many of {@link #REPEATS} gradients of the same batch differ from the first. */
  private static int differing(Policy policy, Objective objective) throws Exception {
    List<TrainingSample> samples = batch(policy, 11);
    double tokens = BatchStatistics.tokens(samples);
    GradientComputer computer = new GradientComputer(policy);
    float[] first = computer.compute(samples, objective, tokens).gradient();
    assertTrue(Double.isFinite(norm(first)), "the first gradient is finite");
    int differing = 0;
    try (MemoryChurn churn = new MemoryChurn()) {
      for (int k = 0; k < REPEATS; k++) {
        float[] again = computer.compute(samples, objective, tokens).gradient();
        if (!Arrays.equals(first, again)) {
          differing++;
        }
      }
    }
    return differing;
  }

  private static double norm(float[] g) {
    double s = 0;
    for (float x : g) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  /** Every term that multiplies by a constant: temperature, entropy bonus, cap, KL-free. */
  private static final Objective OBJECTIVE =
      new Objective(Objective.Kind.DECOUPLED_PPO, 0.2, 0.01, 2.0, 0.8f);

  @Test
  void shouldGiveTheSameGruGradientWhileCollectionsFreeAndReuseMemory() throws Exception {
    try (Policy policy = Policy.create(GrpoTrainerTest.SPEC, Device.cpu(), 5)) {
      assertEquals(0, differing(policy, OBJECTIVE), "gradients that changed between repeats");
    }
  }

  @Test
  void shouldGiveTheSameTransformerGradientWhileCollectionsFreeAndReuseMemory() throws Exception {
    TransformerSizes sizes = new TransformerSizes(32, 64, 2, 4, 2, 10000);
    try (Policy policy = TransformerPolicy.create(GrpoTrainerTest.SPEC, sizes, Device.cpu(), 5)) {
      assertEquals(0, differing(policy, OBJECTIVE), "gradients that changed between repeats");
    }
  }
}
