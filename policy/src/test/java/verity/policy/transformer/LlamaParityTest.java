package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verity's transformer against an independent implementation: the same random checkpoint run by
 * PyTorch itself ({@code src/test/python/llama_reference.py} on Debian's {@code python3-torch}, one
 * unpadded sequence at a time, recomputing the whole sequence per token), while Verity runs the
 * prompts as one left-padded batch and decodes with its KV cache.
 */
class LlamaParityTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Path SCRIPT = Path.of("src/test/python/llama_reference.py");
  private static final int[][] PROMPTS = {{5, 17, 3, 42, 8, 9, 60}, {11, 2}, {70, 1, 33, 4}};
  private static final int NEW_TOKENS = 8;

  @TempDir Path dir;

  static Stream<Arguments> checkpoints() {
    return Stream.of(
        Arguments.of(
            "llama, F32, 4 heads",
            TransformerConfig.builder(TransformerConfig.LLAMA)
                .vocabSize(97)
                .hiddenSize(64)
                .intermediateSize(160)
                .layers(2)
                .heads(4, 4)
                .build(),
            SafetensorsWriter.Dtype.F32,
            1),
        Arguments.of(
            "llama, BF16, GQA 4/2, attention biases, llama3 rope scaling, 2 shards",
            TransformerConfig.builder(TransformerConfig.LLAMA)
                .vocabSize(97)
                .hiddenSize(64)
                .intermediateSize(160)
                .layers(3)
                .heads(4, 2)
                .attentionBias(true)
                .rmsNormEps(1e-5)
                .rope(500_000.0, new TransformerConfig.RopeScaling("llama3", 8.0, 1.0, 4.0, 16))
                .build(),
            SafetensorsWriter.Dtype.BF16,
            2),
        Arguments.of(
            "qwen2, BF16, GQA 4/1, q/k/v biases, tied embeddings",
            TransformerConfig.builder(TransformerConfig.QWEN2)
                .vocabSize(97)
                .hiddenSize(64)
                .intermediateSize(128)
                .layers(2)
                .heads(4, 1)
                .tieWordEmbeddings(true)
                .rope(1_000_000.0, null)
                .build(),
            SafetensorsWriter.Dtype.BF16,
            1),
        Arguments.of(
            "mistral, F32, GQA 8/2",
            TransformerConfig.builder(TransformerConfig.MISTRAL)
                .vocabSize(97)
                .hiddenSize(64)
                .intermediateSize(96)
                .layers(2)
                .heads(8, 2)
                .build(),
            SafetensorsWriter.Dtype.F32,
            1),
        Arguments.of(
            "llama, F16, GQA 4/2, linear rope scaling",
            TransformerConfig.builder(TransformerConfig.LLAMA)
                .vocabSize(97)
                .hiddenSize(64)
                .intermediateSize(160)
                .layers(2)
                .heads(4, 2)
                .rope(10_000.0, new TransformerConfig.RopeScaling("linear", 2.0, 1, 1, 0))
                .build(),
            SafetensorsWriter.Dtype.F16,
            1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("checkpoints")
  void shouldMatchPyTorchLogitsAndGreedyContinuations(
      String name, TransformerConfig config, SafetensorsWriter.Dtype dtype, int shards)
      throws Exception {
    Path model = dir.resolve("model");
    RandomCheckpoint.write(model, config, 20261206L, dtype, shards);
    JsonNode reference = runReference(model);

    try (TransformerModel mine = TransformerModel.load(model, Device.cpu())) {
      float[][][] logits = mine.logits(PROMPTS);
      double worst = 0;
      for (int r = 0; r < PROMPTS.length; r++) {
        JsonNode rows = reference.get("logits").get(r);
        assertEquals(PROMPTS[r].length, rows.size());
        for (int p = 0; p < PROMPTS[r].length; p++) {
          for (int v = 0; v < config.vocabSize(); v++) {
            worst = Math.max(worst, Math.abs(logits[r][p][v] - rows.get(p).get(v).asDouble()));
          }
        }
      }
      assertTrue(worst <= 1e-4, name + ": logits differ from PyTorch's by up to " + worst);

      int[][] greedy = mine.greedy(PROMPTS, NEW_TOKENS);
      for (int r = 0; r < PROMPTS.length; r++) {
        int[] expected = ints(reference.get("greedy").get(r));
        assertArrayEquals(expected, greedy[r], name + ": greedy continuation of prompt " + r);
      }
    }
  }

  private JsonNode runReference(Path model) throws IOException, InterruptedException {
    ObjectMapper json = new ObjectMapper();
    Path request = dir.resolve("request.json");
    Path out = dir.resolve("reference.json");
    Files.writeString(
        request,
        json.writeValueAsString(
            java.util.Map.of("prompts", PROMPTS, "max_new_tokens", NEW_TOKENS)));
    Process python =
        new ProcessBuilder(
                List.of(
                    PYTHON.toString(),
                    SCRIPT.toString(),
                    model.toString(),
                    request.toString(),
                    out.toString()))
            .redirectErrorStream(true)
            .start();
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(python.waitFor(5, TimeUnit.MINUTES), "the PyTorch reference did not finish");
    assertEquals(
        0,
        python.exitValue(),
        "the PyTorch reference failed (it needs Debian's python3-torch for /usr/bin/python3,"
            + " which .ci/run installs):\n"
            + output);
    return json.readTree(out.toFile());
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
