package verity.policy;

import java.util.Arrays;

/**
 * What one row of a batch of episodes has recorded: every token fed to the model after its prompt,
 * whether the policy sampled it, and its log-prob. Shared by every kind of {@link Episodes}.
 */
public final class EpisodeRecord {
  private int[] tokens = new int[64];
  private boolean[] sampled = new boolean[64];
  private float[] logProbs = new float[64];
  private int length;

  public void add(int token, boolean wasSampled, float logProb) {
    if (length == tokens.length) {
      tokens = Arrays.copyOf(tokens, length * 2);
      sampled = Arrays.copyOf(sampled, length * 2);
      logProbs = Arrays.copyOf(logProbs, length * 2);
    }
    tokens[length] = token;
    sampled[length] = wasSampled;
    logProbs[length] = logProb;
    length++;
  }

  public int length() {
    return length;
  }

  /**
   * The episode recorded, with trailing {@code pad} tokens the policy did not sample dropped:
   * nothing after the end affects what came before.
   */
  public Episodes.Episode episode(int pad) {
    int end = length;
    while (end > 0 && !sampled[end - 1] && tokens[end - 1] == pad) {
      end--;
    }
    return new Episodes.Episode(
        Arrays.copyOf(tokens, end), Arrays.copyOf(sampled, end), Arrays.copyOf(logProbs, end));
  }
}
