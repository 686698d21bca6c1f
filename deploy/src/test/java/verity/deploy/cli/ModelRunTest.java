package verity.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.deploy.Main;
import verity.deploy.run.RunSummary;
import verity.policy.transformer.LanguageModel;
import verity.policy.transformer.SafetensorsFile;
import verity.policy.transformer.TransformerConfig;

/**
 * The workflow users run with checkpoints: {@code dev --model DIR} trains a Hugging Face directory
 * with its own tokenizer (here a byte-level one, not the suite's alphabet) through the cluster,
 * {@code --export} writes the result back as a directory, and {@code generate} reads it.
 */
class ModelRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> HF_FILES =
      List.of(
          "config.json",
          "model.safetensors",
          "tokenizer.json",
          "tokenizer_config.json",
          "generation_config.json");

  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  /** {@code generate}'s JSON line for one prompt, after checking that it exited 0. */
  private static JsonNode generated(Path model, String prompt, int maxNewTokens) throws Exception {
    Run g =
        run(
            "generate",
            "--model",
            model.toString(),
            "--prompt",
            prompt,
            "--max-new-tokens",
            Integer.toString(maxNewTokens));
    assertEquals(0, g.code(), g.err());
    return JSON.readTree(g.out());
  }

  private Path byteLevelModel() throws Exception {
    Path model = dir.resolve("source");
    LanguageModel.writeFresh(
        model,
        TransformerConfig.builder(TransformerConfig.LLAMA)
            .vocabSize(260)
            .hiddenSize(32)
            .intermediateSize(64)
            .layers(1)
            .heads(4, 2)
            .specialTokens(-1, List.of(LanguageModel.FRESH_END_OF_TEXT))
            .build(),
        3);
    return model;
  }

  @Test
  void shouldTrainAModelDirectoryWithItsOwnTokenizerAndExportTheResult() throws Exception {
    Path model = byteLevelModel();
    Path exported = dir.resolve("exported");
    Path summary = dir.resolve("summary.json");
    Run r =
        run(
            "dev",
            "--model",
            model.toString(),
            "--suite",
            "arith",
            "--max-steps",
            "3",
            "--max-minutes",
            "5",
            "--data-dir",
            dir.resolve("data").toString(),
            "--summary",
            summary.toString(),
            "--export",
            exported.toString(),
            "--console-port",
            "-1");
    assertEquals(0, r.code(), r.err());
    RunSummary s = RunSummary.read(summary);
    assertEquals("max-steps", s.stopReason());
    assertEquals(3, s.steps());
    assertTrue(s.trajectories().consumed() > 0, s.trajectories().toString());
    assertEquals(0, s.trajectories().lost());
    assertEquals(0, s.trajectories().duplicates());
    assertTrue(r.out().contains("exported to " + exported), r.out());

    for (String f : HF_FILES) {
      assertTrue(Files.isRegularFile(exported.resolve(f)), f);
    }
    assertEquals(
        Files.readString(model.resolve("tokenizer.json")),
        Files.readString(exported.resolve("tokenizer.json")),
        "a loaded model keeps its tokenizer");
    String tensor = "model.layers.0.mlp.down_proj.weight";
    float[] before = SafetensorsFile.open(model.resolve("model.safetensors")).readFloats(tensor);
    float[] after = SafetensorsFile.open(exported.resolve("model.safetensors")).readFloats(tensor);
    assertEquals(before.length, after.length);
    assertFalse(Arrays.equals(before, after), "three learner steps changed the weights");

    JsonNode line = generated(exported, "3+4=", 4);
    assertEquals("[51,43,52,61]", line.get("prompt_ids").toString(), "the prompt's bytes");
  }

  @Test
  void shouldExportAFreshTransformerWithTheSuitesAlphabetAsItsTokenizer() throws Exception {
    Path exported = dir.resolve("fresh-export");
    Run r =
        run(
            "dev",
            "--policy",
            "transformer",
            "--suite",
            "arith",
            "--max-steps",
            "2",
            "--max-minutes",
            "5",
            "--data-dir",
            dir.resolve("fresh").toString(),
            "--export",
            exported.toString(),
            "--console-port",
            "-1");
    assertEquals(0, r.code(), r.err());
    JsonNode line = generated(exported, "3+4=", 2);
    // <bos>, then the alphabet's ids: digits from 3, '+' 13, '=' 14.
    assertEquals("[1,6,13,7,14]", line.get("prompt_ids").toString());
  }

  @Test
  void shouldRefuseABadModelDirectoryAndAnExportOfTheGruWithOneLine() throws Exception {
    Path missing = dir.resolve("no-such-model");
    Run r = run("dev", "--model", missing.toString(), "--data-dir", dir.resolve("a").toString());
    assertEquals(Main.USAGE_ERROR, r.code());
    assertTrue(r.err().contains(missing + ": not a directory"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());

    Run gru =
        run(
            "dev",
            "--export",
            dir.resolve("out").toString(),
            "--data-dir",
            dir.resolve("b").toString());
    assertEquals(Main.USAGE_ERROR, gru.code());
    assertTrue(gru.err().contains("--export"), gru.err());
    assertEquals(1, gru.err().strip().lines().count(), gru.err());
  }
}
