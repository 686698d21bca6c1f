package verity.policy;

import java.util.SplittableRandom;

/**
 * A batch of episodes generated side by side, turn by turn: the environment's tokens are fed
 * ({@link #feed}), the policy's actions are sampled ({@link #sampleActions}), in lockstep, for as
 * many turns as the episodes last. Each row records the tokens the policy saw after its prompt and
 * which of them it sampled with their log-probs, so that teacher forcing over the record ({@link
 * Policy#trainingBatch(ai.djl.ndarray.NDManager, int[][], int[][], boolean[][])}) reproduces the
 * sampling distribution. Used by one thread at a time.
 */
public interface Episodes extends AutoCloseable {

  /** One row's episode: the tokens after the prompt, which were sampled, and their log-probs. */
  record Episode(int[] tokens, boolean[] sampled, float[] logProbs) {
    /** The sampled tokens only, in order. */
    public int[] actions() {
      int n = 0;
      for (boolean s : sampled) {
        n += s ? 1 : 0;
      }
      int[] out = new int[n];
      for (int i = 0, j = 0; i < tokens.length; i++) {
        if (sampled[i]) {
          out[j++] = tokens[i];
        }
      }
      return out;
    }
  }

  int rows();

  /** Stops recording a row: its episode is over (the batch still runs in lockstep). */
  void finish(int row);

  boolean isFinished(int row);

  /**
   * Feeds the environment's tokens for each row ({@code null} or shorter rows are padded to the
   * longest); the tokens are recorded as not sampled.
   */
  void feed(int[][] tokens);

  /**
   * Samples one action for every row with {@code active[row]}: up to {@code maxTokens} tokens,
   * ending early at end-of-sequence. {@code random == null} picks the most likely token (greedy).
   *
   * @return each active row's action tokens (end-of-sequence included when sampled); an empty array
   *     for the other rows
   */
  int[][] sampleActions(
      boolean[] active, int maxTokens, float temperature, SplittableRandom random);

  /** The episode a row recorded, trailing padding dropped. */
  Episode episode(int row);

  /** How many tokens a row has recorded so far (for version segments). */
  int recorded(int row);

  @Override
  void close();
}
