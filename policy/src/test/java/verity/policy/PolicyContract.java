package verity.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;

/**
 * What every kind of {@link Policy} must do for the cluster, run against each kind by a subclass:
 * sampled log-probs that teacher forcing reproduces (single- and multi-turn), action masks, seeded
 * sampling, end-of-sequence, weights carried exactly and refused when corrupt or of another
 * architecture, and no native arrays left behind by gradient bookkeeping.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PolicyContract {
  protected static final PolicySpec SPEC =
      new PolicySpec(
          new CharacterTokenizer(
              List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "=")),
          5,
          3,
          16,
          32,
          1);
  Policy policy;

  /** A fresh replica of the kind under test. */
  protected abstract Policy create(PolicySpec spec, long seed);

  /** A replica of the same kind whose weights have another layout. */
  protected abstract Policy createOtherArchitecture(PolicySpec spec);

  @BeforeAll
  void create() {
    policy = create(SPEC, 7);
  }

  @AfterAll
  void close() {
    policy.close();
  }

  static int[][] prompts(int n) {
    SplittableRandom r = new SplittableRandom(3);
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      out[i] = new int[] {3 + r.nextInt(10), 13, 3 + r.nextInt(10), 14};
    }
    return out;
  }

  @Test
  void shouldRecordLogProbsThatTeacherForcingReproduces() {
    int[][] prompts = prompts(64);
    SampledBatch sampled = policy.sample(prompts, 1.3f, new SplittableRandom(11));
    try (NDManager m = policy.model().getNDManager().newSubManager()) {
      TrainingBatch batch = policy.trainingBatch(m, prompts, sampled.completions());
      NDList out = Policy.completionLogProbs(policy.logits(batch), batch, 1.3f);
      float[] recomputed = out.get(0).toFloatArray();
      float[] mask = batch.mask().toFloatArray();
      int c = (int) batch.length();
      for (int i = 0; i < prompts.length; i++) {
        for (int t = 0; t < c; t++) {
          if (t < sampled.completions()[i].length) {
            assertEquals(1f, mask[i * c + t]);
            assertEquals(sampled.logProbs()[i][t], recomputed[i * c + t], 1e-4, "row " + i);
          } else {
            assertEquals(0f, mask[i * c + t]);
          }
        }
      }
      float[] entropy = out.get(1).toFloatArray();
      for (float e : entropy) {
        assertTrue(e >= 0 && e <= Math.log(SPEC.vocabSize()) + 1e-4, "entropy " + e);
      }
    }
  }

  @Test
  void shouldRecordMultiTurnEpisodesThatTeacherForcingReproduces() {
    int[][] prompts = prompts(12);
    SplittableRandom random = new SplittableRandom(4);
    Episodes.Episode[] episodes = new Episodes.Episode[prompts.length];
    try (Episodes gen = policy.startEpisodes(prompts)) {
      boolean[] alive = new boolean[prompts.length];
      java.util.Arrays.fill(alive, true);
      for (int turn = 0; turn < 6; turn++) {
        // Observations of different lengths per row, some rows silent, one row finishing early.
        int[][] obs = new int[prompts.length][];
        for (int i = 0; i < prompts.length; i++) {
          obs[i] = i % 3 == 0 ? null : new int[] {3 + (i + turn) % 10, 13, 3 + i % 5}.clone();
          if (obs[i] != null && i % 2 == 0) {
            obs[i] = java.util.Arrays.copyOf(obs[i], 1);
          }
        }
        gen.feed(obs);
        gen.sampleActions(alive, SPEC.maxCompletionTokens(), 1.1f, random);
        if (turn == 2) {
          gen.finish(5);
          alive[5] = false;
        }
      }
      for (int i = 0; i < prompts.length; i++) {
        episodes[i] = gen.episode(i);
      }
    }
    int[][] tokens = new int[prompts.length][];
    boolean[][] sampled = new boolean[prompts.length][];
    for (int i = 0; i < prompts.length; i++) {
      tokens[i] = episodes[i].tokens();
      sampled[i] = episodes[i].sampled();
    }
    assertTrue(tokens[5].length < tokens[4].length, "a finished row stops recording");
    try (NDManager m = policy.model().getNDManager().newSubManager()) {
      TrainingBatch batch = policy.trainingBatch(m, prompts, tokens, sampled);
      float[] recomputed =
          Policy.completionLogProbs(policy.logits(batch), batch, 1.1f).get(0).toFloatArray();
      int c = (int) batch.length();
      int checked = 0;
      for (int i = 0; i < prompts.length; i++) {
        for (int t = 0; t < tokens[i].length; t++) {
          if (sampled[i][t]) {
            assertEquals(
                episodes[i].logProbs()[t], recomputed[i * c + t], 1e-4, "row " + i + " token " + t);
            checked++;
          }
        }
      }
      assertTrue(checked > 40, "checked " + checked + " sampled tokens");
    }
  }

  @Test
  void shouldOnlyEmitActionTokensAndTrainUnderTheSameMask() {
    PolicySpec moves =
        new PolicySpec(
            new CharacterTokenizer(
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "=")),
            5,
            1,
            16,
            32,
            1,
            new int[] {3, 4, 5, 6});
    try (Policy masked = create(moves, 5)) {
      int[][] prompts = prompts(64);
      SampledBatch s = masked.sample(prompts, 2f, new SplittableRandom(1));
      java.util.Set<Integer> seen = new java.util.HashSet<>();
      for (int[] c : s.completions()) {
        seen.add(c[0]);
      }
      assertEquals(
          java.util.Set.of(3, 4, 5, 6), seen, "only moves, and all of them at temperature 2");
      float[][] recomputed = masked.logProbs(prompts, s.completions(), 2f);
      for (int i = 0; i < prompts.length; i++) {
        assertEquals(s.logProbs()[i][0], recomputed[i][0], 1e-4);
        assertTrue(s.logProbs()[i][0] > Math.log(1e-6), "probability mass is on the moves only");
      }
    }
  }

  @Test
  void shouldSampleReproduciblyFromASeed() {
    int[][] prompts = prompts(32);
    SampledBatch a = policy.sample(prompts, 1f, new SplittableRandom(5));
    SampledBatch b = policy.sample(prompts, 1f, new SplittableRandom(5));
    assertTrue(Arrays.deepEquals(a.completions(), b.completions()));
    for (int[] c : a.completions()) {
      assertTrue(c.length >= 1 && c.length <= SPEC.maxCompletionTokens());
    }
  }

  @Test
  void shouldStopARowAtEndOfSequence() {
    SampledBatch s = policy.sample(prompts(256), 3f, new SplittableRandom(9));
    boolean sawEarlyStop = false;
    for (int[] c : s.completions()) {
      for (int t = 0; t < c.length - 1; t++) {
        assertNotEquals(SPEC.eosToken(), c[t], "tokens after end-of-sequence");
      }
      sawEarlyStop |= c.length < SPEC.maxCompletionTokens() && c[c.length - 1] == SPEC.eosToken();
    }
    assertTrue(sawEarlyStop, "a hot sampler over 256 rows should end some rows early");
  }

  @Test
  void shouldCarryWeightsToAnotherReplicaExactly() {
    try (Policy other = create(SPEC, 99)) {
      int[][] prompts = prompts(16);
      FlatWeights w = policy.exportWeights(PolicyVersion.of(4));
      assertTrue(w.checksumMatches());
      other.importWeights(w);
      assertEquals(PolicyVersion.of(4), other.version());
      assertArrayEquals(
          w.values().flatten(), other.exportWeights(PolicyVersion.of(4)).values().flatten());
      assertTrue(Arrays.deepEquals(policy.greedy(prompts), other.greedy(prompts)));
    }
  }

  @Test
  void shouldRefuseCorruptWeights() {
    try (Policy other = create(SPEC, 99)) {
      FlatWeights w = policy.exportWeights(PolicyVersion.of(5));
      float[] before = other.exportWeights(PolicyVersion.INITIAL).values().flatten();
      w.values().tensor(0)[3] += 1f;
      assertThrows(IllegalArgumentException.class, () -> other.importWeights(w));
      assertArrayEquals(before, other.exportWeights(PolicyVersion.INITIAL).values().flatten());
    }
  }

  @Test
  void shouldRefuseWeightsOfAnotherArchitecture() {
    try (Policy other = createOtherArchitecture(SPEC)) {
      FlatWeights w = other.exportWeights(PolicyVersion.of(1));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> policy.importWeights(w));
      assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
    }
  }

  @Test
  void shouldInitializeIdenticallyFromTheSameSeed() {
    try (Policy a = create(SPEC, 42);
        Policy b = create(SPEC, 42);
        Policy c = create(SPEC, 43)) {
      float[] wa = a.exportWeights(PolicyVersion.INITIAL).values().flatten();
      assertArrayEquals(wa, b.exportWeights(PolicyVersion.INITIAL).values().flatten());
      assertFalse(Arrays.equals(wa, c.exportWeights(PolicyVersion.INITIAL).values().flatten()));
    }
  }

  @Test
  void zeroingAndReadingGradientsLeavesNoArrayOnTheModelsManager() {
    try (Policy p = create(SPEC, 5)) {
      p.enableGradients();
      p.zeroGradients();
      BaseNDManager manager = (BaseNDManager) p.model().getNDManager();
      int before = manager.getManagedArrays().size();
      for (int step = 0; step < 20; step++) {
        p.zeroGradients();
        p.gradients();
      }
      // A learner zeroes and reads the gradients every step: anything left behind per call is a
      // native leak that grows with the run.
      assertEquals(before, manager.getManagedArrays().size());
    }
  }

  @Test
  void shouldImportWeightsWithoutLeavingAModelsWorthOfDirectMemoryBehind() {
    try (Policy from = create(SPEC, 5);
        Policy into = create(SPEC, 6)) {
      FlatWeights w = from.exportWeights(PolicyVersion.of(1));
      long modelBytes = 4L * w.values().length();
      BufferPoolMXBean direct =
          ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
              .filter(pool -> pool.getName().equals("direct"))
              .findFirst()
              .orElseThrow();
      long before = direct.getMemoryUsed();
      for (int k = 0; k < 20; k++) {
        into.importWeights(w);
      }
      // Each import used to copy every tensor into a fresh direct buffer that only a garbage
      // collection frees: twenty imports left twenty models' worth behind.
      long left = direct.getMemoryUsed() - before;
      assertTrue(
          left < modelBytes, left + " bytes of direct memory left for a model of " + modelBytes);
      assertArrayEquals(
          w.values().flatten(), into.exportWeights(PolicyVersion.of(1)).values().flatten());
    }
  }
}
