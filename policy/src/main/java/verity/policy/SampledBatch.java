package verity.policy;

/**
 * Completions sampled for a batch of prompts: for each row, the tokens up to and including the
 * end-of-sequence (or cut at the length limit) and the behaviour log-probability of each token.
 */
public record SampledBatch(int[][] completions, float[][] logProbs) {
  public int rows() {
    return completions.length;
  }

  /** The number of generated tokens over all rows. */
  public long tokens() {
    long n = 0;
    for (int[] c : completions) {
      n += c.length;
    }
    return n;
  }
}
