package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.policy.SampledBatch;

class TransformerModelTest {
  private static final TransformerConfig GQA =
      TransformerConfig.builder(TransformerConfig.QWEN2)
          .vocabSize(61)
          .hiddenSize(32)
          .intermediateSize(48)
          .layers(2)
          .heads(4, 2)
          .build();

  @TempDir Path dir;

  private TransformerModel randomModel() throws Exception {
    RandomCheckpoint.write(dir.resolve("random"), GQA, 7, SafetensorsWriter.Dtype.F32);
    return TransformerModel.load(dir.resolve("random"), Device.cpu());
  }

  @Test
  void shouldDecodeWithTheCacheAsFullRecomputationDoes() throws Exception {
    int[][] prompts = {{3, 9, 27, 4}, {50}, {8, 8, 1}};
    int tokens = 40; // past the cache's first two capacities (16 and 32 positions)
    try (TransformerModel model = randomModel()) {
      int[][] cached = model.greedy(prompts, tokens);
      for (int r = 0; r < prompts.length; r++) {
        int[] sequence = prompts[r];
        for (int t = 0; t < tokens; t++) {
          float[][] logits = model.logits(new int[][] {sequence})[0];
          int best = argMax(logits[logits.length - 1]);
          assertEquals(best, cached[r][t], "row " + r + ", token " + t);
          sequence = Arrays.copyOf(sequence, sequence.length + 1);
          sequence[sequence.length - 1] = best;
        }
      }
    }
  }

  @Test
  void shouldRecordSamplingLogProbsThatTeacherForcingReproduces() throws Exception {
    int[][] prompts = {{3, 9, 27, 4}, {50}, {8, 8, 1}};
    float temperature = 0.7f;
    try (TransformerModel model = randomModel()) {
      SampledBatch sampled =
          model.generate(prompts, 6, new TokenSampler(temperature, 1), new SplittableRandom(9));
      for (int r = 0; r < prompts.length; r++) {
        int[] completion = sampled.completions()[r];
        assertEquals(6, completion.length);
        int[] whole = Arrays.copyOf(prompts[r], prompts[r].length + completion.length);
        System.arraycopy(completion, 0, whole, prompts[r].length, completion.length);
        float[][] logits = model.logits(new int[][] {whole})[0];
        for (int t = 0; t < completion.length; t++) {
          double[] logProbs =
              TokenSampler.logSoftmax(logits[prompts[r].length - 1 + t], temperature);
          assertEquals(
              logProbs[completion[t]], sampled.logProbs()[r][t], 1e-5, "row " + r + ", token " + t);
        }
      }
    }
  }

  @Test
  void shouldGiveARowTheSameLogitsWhateverItsBatchMatesAndPadding() throws Exception {
    int[] row = {5, 6, 7};
    try (TransformerModel model = randomModel()) {
      float[][] alone = model.logits(new int[][] {row})[0];
      float[][] padded = model.logits(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8, 9}, row, {40, 41}})[1];
      for (int p = 0; p < row.length; p++) {
        for (int v = 0; v < GQA.vocabSize(); v++) {
          assertEquals(alone[p][v], padded[p][v], 1e-5, "position " + p + ", token " + v);
        }
      }
    }
  }

  @Test
  void shouldLoadWhatItSavedWithIdenticalLogits() throws Exception {
    int[][] prompts = {{1, 2, 3}, {4}};
    try (TransformerModel fresh = TransformerModel.fresh(GQA, Device.cpu(), 3)) {
      fresh.save(dir.resolve("saved"), SafetensorsWriter.Dtype.F32);
      try (TransformerModel loaded = TransformerModel.load(dir.resolve("saved"), Device.cpu())) {
        assertEquals(fresh.config(), loaded.config());
        assertEquals(fresh.parameterCount(), loaded.parameterCount());
        float[][][] a = fresh.logits(prompts);
        float[][][] b = loaded.logits(prompts);
        for (int r = 0; r < prompts.length; r++) {
          for (int p = 0; p < prompts[r].length; p++) {
            assertArrayEquals(a[r][p], b[r][p]);
          }
        }
      }
    }
  }

  @Test
  void shouldGiveTheLastPositionsLogitsAloneAsTheFullForwardDoes() {
    int[][] rows = {{1, 2, 3, 4}, {5, 6}};
    try (TransformerModel model = TransformerModel.fresh(GQA, Device.cpu(), 5);
        ai.djl.ndarray.NDManager call = model.model().getNDManager().newSubManager()) {
      LeftPadded batch = LeftPadded.of(rows);
      ai.djl.training.ParameterStore ps = new ai.djl.training.ParameterStore(call, false);
      ai.djl.ndarray.NDArray full =
          model
              .block()
              .forward(
                  ps, batch.ids(call), batch.positions(call), batch.keyValid(call), null, false);
      ai.djl.ndarray.NDArray last =
          model
              .block()
              .forwardLast(ps, batch.ids(call), batch.positions(call), batch.keyValid(call), null);
      assertEquals(new ai.djl.ndarray.types.Shape(2, 1, GQA.vocabSize()), last.getShape());
      assertArrayEquals(full.get(":, -1:, :").toFloatArray(), last.toFloatArray(), 1e-6f);
    }
  }

  @Test
  void shouldNameTheStoredDtypeInItsConfig() throws Exception {
    try (TransformerModel fresh = TransformerModel.fresh(GQA, Device.cpu(), 3)) {
      fresh.save(dir.resolve("bf16"), SafetensorsWriter.Dtype.BF16);
      fresh.save(dir.resolve("f32"), SafetensorsWriter.Dtype.F32);
    }
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    assertEquals(
        "bfloat16",
        json.readTree(dir.resolve("bf16/config.json").toFile()).get("torch_dtype").asText());
    assertEquals(
        "float32",
        json.readTree(dir.resolve("f32/config.json").toFile()).get("torch_dtype").asText());
  }

  @Test
  void shouldGiveTheSameFreshWeightsForTheSameSeed() {
    try (TransformerModel a = TransformerModel.fresh(GQA, Device.cpu(), 11);
        TransformerModel b = TransformerModel.fresh(GQA, Device.cpu(), 11);
        TransformerModel c = TransformerModel.fresh(GQA, Device.cpu(), 12)) {
      int[][] prompt = {{1, 2, 3}};
      assertArrayEquals(a.logits(prompt)[0][2], b.logits(prompt)[0][2]);
      assertTrue(!Arrays.equals(a.logits(prompt)[0][2], c.logits(prompt)[0][2]));
    }
  }

  @Test
  void shouldCountParametersAsTheConfigImplies() {
    try (TransformerModel model = TransformerModel.fresh(GQA, Device.cpu(), 1)) {
      long h = 32, v = 61, inner = 48, kv = 2 * 8;
      long perLayer = h + (h * h + h) + 2 * (kv * h + kv) + h * h + h + 3 * h * inner;
      assertEquals(v * h + 2 * perLayer + h + v * h, model.parameterCount());
    }
  }

  @Test
  void shouldNameAMissingTensor() throws Exception {
    Path model = dir.resolve("missing");
    Files.createDirectories(model);
    Files.writeString(model.resolve(TransformerModel.CONFIG), GQA.toJson().toPrettyString());
    List<SafetensorsWriter.Tensor> tensors =
        RandomCheckpoint.tensors(GQA, 1).stream()
            .filter(t -> !t.name().equals("model.layers.1.mlp.up_proj.weight"))
            .toList();
    SafetensorsWriter.write(
        model.resolve(CheckpointTensors.SINGLE),
        tensors,
        SafetensorsWriter.Dtype.F32,
        java.util.Map.of());
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> TransformerModel.load(model, Device.cpu()));
    assertTrue(
        e.getMessage().contains("no tensor model.layers.1.mlp.up_proj.weight"), e.getMessage());
  }

  @Test
  void shouldNameATensorWhoseShapeDoesNotFitTheConfig() throws Exception {
    Path model = dir.resolve("shape");
    RandomCheckpoint.write(model, GQA, 1, SafetensorsWriter.Dtype.F32);
    TransformerConfig wider =
        TransformerConfig.builder(TransformerConfig.QWEN2)
            .vocabSize(61)
            .hiddenSize(32)
            .intermediateSize(64)
            .layers(2)
            .heads(4, 2)
            .build();
    Files.writeString(model.resolve(TransformerModel.CONFIG), wider.toJson().toPrettyString());
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> TransformerModel.load(model, Device.cpu()));
    assertTrue(
        e.getMessage().startsWith(model.resolve(CheckpointTensors.SINGLE).toString()),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .contains(
                "tensor model.layers.0.mlp.gate_proj.weight has shape [48, 32], config.json implies [64, 32]"),
        e.getMessage());
  }

  @Test
  void shouldRefuseATensorTheConfigDoesNotDescribe() throws Exception {
    Path model = dir.resolve("extra");
    RandomCheckpoint.write(model, GQA, 1, SafetensorsWriter.Dtype.F32);
    TransformerConfig fewer =
        TransformerConfig.builder(TransformerConfig.QWEN2)
            .vocabSize(61)
            .hiddenSize(32)
            .intermediateSize(48)
            .layers(1)
            .heads(4, 2)
            .build();
    Files.writeString(model.resolve(TransformerModel.CONFIG), fewer.toJson().toPrettyString());
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> TransformerModel.load(model, Device.cpu()));
    assertTrue(
        e.getMessage().contains("is not part of the model config.json describes"), e.getMessage());
  }

  @Test
  void shouldNameAShardTheIndexPointsToButIsMissing() throws Exception {
    Path model = dir.resolve("sharded");
    RandomCheckpoint.write(model, GQA, 1, SafetensorsWriter.Dtype.BF16, 2);
    Files.delete(model.resolve("model-00002-of-00002.safetensors"));
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> TransformerModel.load(model, Device.cpu()));
    assertTrue(
        e.getMessage().startsWith(model.resolve(CheckpointTensors.INDEX).toString()),
        e.getMessage());
    assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors"), e.getMessage());
  }

  @Test
  void shouldSayADirectoryWithoutWeightsIsNotAModel() throws Exception {
    Path model = dir.resolve("empty");
    Files.createDirectories(model);
    Files.writeString(model.resolve(TransformerModel.CONFIG), GQA.toJson().toPrettyString());
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> TransformerModel.load(model, Device.cpu()));
    assertTrue(e.getMessage().contains("not a Hugging Face model directory"), e.getMessage());
  }

  private static int argMax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
