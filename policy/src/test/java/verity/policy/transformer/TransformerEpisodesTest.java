package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.policy.Episodes.Episode;
import verity.policy.Policy;
import verity.policy.TrainingBatch;

/** Multi-turn episodes on one KV cache, checked against teacher forcing over their records. */
class TransformerEpisodesTest {
  private static final TransformerConfig SMALL =
      TransformerConfig.builder(TransformerConfig.QWEN2)
          .vocabSize(48)
          .hiddenSize(32)
          .intermediateSize(64)
          .layers(2)
          .heads(4, 2)
          .specialTokens(-1, java.util.List.of(47))
          .build();

  @TempDir Path dir;

  @Test
  void shouldRecordTurnsThatTeacherForcingReproducesWithoutRecomputingTheContext()
      throws Exception {
    RandomCheckpoint.write(dir, SMALL, 11, SafetensorsWriter.Dtype.F32);
    int[][] prompts = {{3, 9, 27, 4}, {5}, {8, 8, 1}};
    float temperature = 0.9f;
    SplittableRandom random = new SplittableRandom(6);
    try (TransformerModel model = TransformerModel.load(dir, Device.cpu());
        TransformerEpisodes episodes = model.startEpisodes(prompts)) {
      episodes.sampleActions(new boolean[] {true, true, true}, 4, temperature, random);
      episodes.feed(new int[][] {{30, 31}, null, {32}});
      episodes.sampleActions(new boolean[] {true, false, true}, 5, temperature, random);
      episodes.feed(new int[][] {{33}, {34, 35, 36}, null});
      episodes.finish(2);
      episodes.sampleActions(new boolean[] {true, true, false}, 3, temperature, random);

      long recorded = 0;
      for (int i = 0; i < 2; i++) {
        recorded = Math.max(recorded, episodes.recorded(i));
      }
      // The prompts once (padded to 4), then every token once: no turn recomputed the context.
      assertTrue(
          episodes.tokensForwarded() <= 4 + recorded,
          episodes.tokensForwarded() + " tokens forwarded for " + recorded + " recorded");

      int[][] tokens = new int[3][];
      boolean[][] sampled = new boolean[3][];
      Episode[] all = new Episode[3];
      for (int i = 0; i < 3; i++) {
        all[i] = episodes.episode(i);
        tokens[i] = all[i].tokens();
        sampled[i] = all[i].sampled();
        assertTrue(all[i].actions().length > 0, "row " + i + " sampled nothing");
      }
      try (NDManager m = model.model().getNDManager().newSubManager()) {
        TrainingBatch batch = model.trainingBatch(m, prompts, tokens, sampled);
        NDArray logits =
            model.block().forward(new ParameterStore(m, false), batch.inputs(), false).get(0);
        float[] lp = Policy.completionLogProbs(logits, batch, temperature).get(0).toFloatArray();
        int c = (int) batch.length();
        int checked = 0;
        for (int i = 0; i < 3; i++) {
          for (int t = 0; t < tokens[i].length; t++) {
            if (sampled[i][t]) {
              assertEquals(all[i].logProbs()[t], lp[i * c + t], 1e-5, "row " + i + ", token " + t);
              checked++;
            }
          }
        }
        assertTrue(checked >= 10, "only " + checked + " sampled tokens checked");
      }
    }
  }
}
