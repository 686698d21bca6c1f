package verity.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Teacher-forcing inputs for a batch of episodes: the model input (prompt, then every token fed
 * after it but the last), the tokens to score, and a mask of the positions the policy sampled. Rows
 * are padded to the longest episode of the batch. All arrays belong to the manager they were
 * created in.
 *
 * @param inputs token ids {@code [N, P + C - 1]} and a zero initial state
 * @param targets token ids {@code [N, C, 1]} (int64, padded)
 * @param mask 1 where the policy sampled the token, else 0, {@code [N, C]}
 * @param logitMask added to the logits before the softmax when the suite restricts the policy's
 *     actions ({@code [V]}), else null
 */
public record TrainingBatch(
    NDList inputs, NDArray targets, NDArray mask, int promptTokens, NDArray logitMask) {

  static TrainingBatch of(
      NDManager manager, PolicySpec spec, int[][] prompts, int[][] tokens, boolean[][] sampled) {
    int n = prompts.length;
    int p = spec.maxPromptTokens();
    int c = 1;
    for (int[] t : tokens) {
      c = Math.max(c, t.length);
    }
    long[] input = new long[n * (p + c - 1)];
    long[] target = new long[n * c];
    float[] mask = new float[n * c];
    for (int i = 0; i < n; i++) {
      int[] prompt = PromptLayout.layout(spec, prompts[i]);
      int[] row = tokens[i];
      if (sampled[i].length != row.length) {
        throw new IllegalArgumentException(
            "row " + i + ": " + row.length + " tokens but " + sampled[i].length + " mask entries");
      }
      int at = i * (p + c - 1);
      for (int t = 0; t < p; t++) {
        input[at + t] = prompt[t];
      }
      for (int t = 0; t < c - 1; t++) {
        input[at + p + t] = t < row.length ? row[t] : spec.padToken();
      }
      for (int t = 0; t < c; t++) {
        target[i * c + t] = t < row.length ? row[t] : spec.padToken();
        mask[i * c + t] = t < row.length && sampled[i][t] ? 1f : 0f;
      }
    }
    NDArray ids = manager.create(input, new Shape(n, p + c - 1));
    NDArray state = manager.zeros(new Shape(spec.layers(), n, spec.hidden()), DataType.FLOAT32);
    return new TrainingBatch(
        new NDList(ids, state),
        manager.create(target, new Shape(n, c, 1)),
        manager.create(mask, new Shape(n, c)),
        p,
        spec.masksActions() ? manager.create(spec.logitMask()) : null);
  }

  /** Every token of every row is the policy's (single-turn completions). */
  static boolean[][] allSampled(int[][] tokens) {
    boolean[][] out = new boolean[tokens.length][];
    for (int i = 0; i < tokens.length; i++) {
      out[i] = new boolean[tokens[i].length];
      java.util.Arrays.fill(out[i], true);
    }
    return out;
  }

  /** The padded length of the token part. */
  public long length() {
    return targets.getShape().get(1);
  }
}
