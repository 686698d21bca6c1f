package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.policy.Policy;
import verity.policy.PolicyContract;
import verity.policy.PolicySpec;
import verity.policy.TrainingBatch;

class TransformerPolicyTest extends PolicyContract {
  private static final TransformerSizes SIZES = new TransformerSizes(32, 64, 2, 4, 2, 10_000);

  @TempDir Path dir;

  @Override
  protected Policy create(PolicySpec spec, long seed) {
    return TransformerPolicy.create(spec, SIZES, Device.cpu(), seed);
  }

  @Override
  protected Policy createOtherArchitecture(PolicySpec spec) {
    return TransformerPolicy.create(
        spec, new TransformerSizes(32, 64, 3, 4, 2, 10_000), Device.cpu(), 1);
  }

  /**
   * A fresh policy over a suite's alphabet, exported and loaded back as a Hugging Face directory,
   * reads the same prompt text as the same ids and gives the same log-probs and greedy actions: the
   * exported tokenizer puts begin-of-sequence where the fresh policy did.
   */
  @Test
  void shouldLoadItsExportBackWithTheSameTokensAndTheSameLogProbs() throws Exception {
    TransformerPolicy fresh = (TransformerPolicy) create(SPEC, 21);
    try (fresh) {
      FlatWeights trained = fresh.exportWeights(PolicyVersion.of(3));
      fresh.export(dir);
      for (String f :
          List.of(
              "config.json",
              "model.safetensors",
              "tokenizer.json",
              "tokenizer_config.json",
              "generation_config.json")) {
        assertTrue(Files.isRegularFile(dir.resolve(f)), f);
      }
      ModelTokenizer tokenizer = LanguageModel.loadTokenizer(dir, true);
      assertEquals(SPEC.vocabSize(), tokenizer.vocabSize());
      assertEquals(SPEC.eosToken(), tokenizer.eosToken());
      PolicySpec loadedSpec =
          new PolicySpec(tokenizer, SPEC.maxPromptTokens(), SPEC.maxCompletionTokens(), 1, 1, 1);
      try (TransformerPolicy loaded = TransformerPolicy.load(loadedSpec, dir, Device.cpu())) {
        String text = "3+4=";
        int[] freshIds = SPEC.tokenizer().promptIds(text);
        int[] loadedIds = tokenizer.promptIds(text);
        assertEquals(SPEC.bosToken(), loadedIds[0], "the exported tokenizer adds <bos>");
        assertArrayEquals(freshIds, java.util.Arrays.copyOfRange(loadedIds, 1, loadedIds.length));

        int[][] completions = {{7, 4, 2}};
        float[] before = fresh.logProbs(new int[][] {freshIds}, completions, 1f)[0];
        float[] after = loaded.logProbs(new int[][] {loadedIds}, completions, 1f)[0];
        assertArrayEquals(before, after, 1e-6f);
        assertArrayEquals(
            fresh.greedy(new int[][] {freshIds})[0], loaded.greedy(new int[][] {loadedIds})[0]);
        assertArrayEquals(
            trained.values().flatten(),
            loaded.exportWeights(PolicyVersion.of(3)).values().flatten(),
            0f);
        try (NDManager m = NDManager.newBaseManager()) {
          TrainingBatch batch =
              loaded.trainingBatch(m, new int[][] {loadedIds}, new int[][] {{7, 2}});
          assertEquals(loadedIds.length, batch.promptTokens(), "no second <bos> in front");
        }
      }
    }
  }
}
