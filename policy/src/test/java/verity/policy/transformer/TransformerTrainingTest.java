package verity.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.policy.Policy;
import verity.policy.SampledBatch;
import verity.policy.TrainingBatch;

/** Teacher forcing and gradients through the transformer, as the learner will use them. */
class TransformerTrainingTest {
  private static final TransformerConfig SMALL =
      TransformerConfig.builder(TransformerConfig.LLAMA)
          .vocabSize(40)
          .hiddenSize(32)
          .intermediateSize(64)
          .layers(2)
          .heads(4, 2)
          .build();

  @TempDir Path dir;

  @Test
  void shouldTeacherForceTheLogProbsItSampledWhateverThePadding() throws Exception {
    RandomCheckpoint.write(dir, SMALL, 3, SafetensorsWriter.Dtype.F32);
    int[][] prompts = {{3, 9, 27, 4}, {5}, {8, 8, 1}};
    float temperature = 0.8f;
    try (TransformerModel model = TransformerModel.load(dir, Device.cpu())) {
      SampledBatch sampled =
          model.generate(prompts, 6, new TokenSampler(temperature, 1), new SplittableRandom(2));
      // Rows of different lengths: the batch pads them on the right.
      int[] keep = {6, 2, 4};
      int[][] tokens = new int[3][];
      boolean[][] mask = new boolean[3][];
      for (int i = 0; i < 3; i++) {
        tokens[i] = Arrays.copyOf(sampled.completions()[i], keep[i]);
        mask[i] = new boolean[keep[i]];
        Arrays.fill(mask[i], true);
      }
      try (NDManager m = model.model().getNDManager().newSubManager()) {
        TrainingBatch batch = model.trainingBatch(m, prompts, tokens, mask);
        NDArray logits =
            model.block().forward(new ParameterStore(m, false), batch.inputs(), false).get(0);
        float[] lp = Policy.completionLogProbs(logits, batch, temperature).get(0).toFloatArray();
        int c = (int) batch.length();
        for (int i = 0; i < 3; i++) {
          for (int t = 0; t < keep[i]; t++) {
            assertEquals(
                sampled.logProbs()[i][t], lp[i * c + t], 1e-5, "row " + i + ", token " + t);
          }
        }
      }
    }
  }

  @Test
  void shouldLearnAFixedBatchWithGradientsReachingEveryParameter() {
    int[][] prompts = {{1, 2, 3}, {4, 5}, {6, 7, 8, 9}, {10}};
    int[][] tokens = {{3, 2, 1, 0}, {5, 4}, {9, 8, 7, 6}, {10, 10, 10}};
    boolean[][] sampled = new boolean[tokens.length][];
    for (int i = 0; i < tokens.length; i++) {
      sampled[i] = new boolean[tokens[i].length];
      Arrays.fill(sampled[i], true);
    }
    try (TransformerModel model = TransformerModel.fresh(SMALL, Device.cpu(), 4)) {
      Map<String, Parameter> parameters = model.block().parametersByName();
      float first = Float.NaN;
      float last = Float.NaN;
      for (int step = 0; step < 60; step++) {
        try (NDManager m = model.model().getNDManager().newSubManager()) {
          TrainingBatch batch = model.trainingBatch(m, prompts, tokens, sampled);
          try (GradientCollector collector = m.getEngine().newGradientCollector()) {
            NDArray logits =
                model.block().forward(new ParameterStore(m, false), batch.inputs(), true).get(0);
            NDArray lp = Policy.completionLogProbs(logits, batch, 1f).get(0);
            NDArray loss = lp.mul(batch.mask()).sum().neg().div(batch.mask().sum());
            collector.backward(loss);
            last = loss.getFloat();
          }
          if (step == 0) {
            first = last;
          }
          for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray weights = e.getValue().getArray();
            NDArray gradient = weights.getGradient();
            gradient.attach(m);
            float norm = gradient.square().sum().getFloat();
            assertTrue(
                Float.isFinite(norm), e.getKey() + " has a non-finite gradient at step " + step);
            if (step == 0) {
              assertTrue(norm > 0, e.getKey() + " gets no gradient");
            }
            weights.subi(gradient.mul(0.5f));
            gradient.set(new NDIndex(":"), 0f);
          }
        }
      }
      assertTrue(
          last < 0.3f * first, "loss on the fixed batch fell only from " + first + " to " + last);
    }
  }
}
