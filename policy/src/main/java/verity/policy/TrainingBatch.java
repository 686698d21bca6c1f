package verity.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Teacher-forcing inputs for a batch of (prompt, completion) pairs: the model input, the completion
 * tokens to score, and a mask of the positions that hold real completion tokens. All arrays belong
 * to the manager they were created in.
 *
 * @param inputs token ids {@code [N, P + C - 1]} and a zero initial state
 * @param targets completion token ids {@code [N, C, 1]} (int64, padded)
 * @param mask 1 where a completion token exists, else 0, {@code [N, C]}
 */
public record TrainingBatch(NDList inputs, NDArray targets, NDArray mask, int promptTokens) {

  static TrainingBatch of(
      NDManager manager, PolicySpec spec, int[][] prompts, int[][] completions) {
    int n = prompts.length;
    int p = spec.maxPromptTokens();
    int c = spec.maxCompletionTokens();
    long[] input = new long[n * (p + c - 1)];
    long[] target = new long[n * c];
    float[] mask = new float[n * c];
    for (int i = 0; i < n; i++) {
      int[] prompt = PromptLayout.layout(spec, prompts[i]);
      int[] completion = completions[i];
      if (completion.length > c) {
        throw new IllegalArgumentException(
            "completion of " + completion.length + " tokens exceeds the limit of " + c);
      }
      int row = i * (p + c - 1);
      for (int t = 0; t < p; t++) {
        input[row + t] = prompt[t];
      }
      for (int t = 0; t < c - 1; t++) {
        input[row + p + t] = t < completion.length ? completion[t] : spec.padToken();
      }
      for (int t = 0; t < c; t++) {
        target[i * c + t] = t < completion.length ? completion[t] : spec.padToken();
        mask[i * c + t] = t < completion.length ? 1f : 0f;
      }
    }
    NDArray tokens = manager.create(input, new Shape(n, p + c - 1));
    NDArray state = manager.zeros(new Shape(spec.layers(), n, spec.hidden()), DataType.FLOAT32);
    return new TrainingBatch(
        new NDList(tokens, state),
        manager.create(target, new Shape(n, c, 1)),
        manager.create(mask, new Shape(n, c)),
        p);
  }
}
