package verity.policy.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.SplittableRandom;
import verity.policy.EpisodeRecord;
import verity.policy.Episodes;

/**
 * A batch of multi-turn episodes on a transformer, side by side, with one KV cache carried across
 * turns: the environment's tokens are appended to it ({@link #feed}) and the policy's actions are
 * decoded from it ({@link #sampleActions}), so no turn recomputes the context. Rows run in
 * lockstep, as the GRU's {@link verity.policy.EpisodeGenerator} does: each row records every token
 * it was fed after its prompt (the padding of turns where it had nothing to say included, as keys
 * it attends to) and which of them it sampled, so that {@link TransformerModel#trainingBatch} over
 * the record reproduces the sampling distribution. A sampled token is fed with whatever comes next,
 * saving a forward pass per turn. Used by one thread at a time.
 */
public final class TransformerEpisodes implements Episodes {
  /** The token fed to rows with nothing to say in a turn. */
  public static final int PAD = 0;

  private final TransformerModel model;
  private final ParameterStore parameters;
  private final NDManager manager;
  private final KvCache cache;
  private final int rows;
  private final EpisodeRecord[] records;
  private final boolean[] finished;
  private final long[] nextPosition;
  private float[][] keyValid;
  private float[] lastLogits;
  private long[] pending;
  private long tokensForwarded;
  private final float[] logitMask;

  TransformerEpisodes(
      TransformerModel model,
      ParameterStore parameters,
      NDManager parent,
      int[][] prompts,
      float[] logitMask) {
    this.model = model;
    this.logitMask = logitMask;
    this.parameters = parameters;
    this.manager = parent.newSubManager();
    this.cache = new KvCache(manager, model.config().layers());
    this.rows = prompts.length;
    this.records = new EpisodeRecord[rows];
    this.finished = new boolean[rows];
    for (int i = 0; i < rows; i++) {
      records[i] = new EpisodeRecord();
    }
    LeftPadded left = LeftPadded.of(prompts);
    this.keyValid = left.keyValidRows();
    this.nextPosition = left.nextPositions();
    forward(left.idsRows(), left.positionRows());
  }

  @Override
  public int rows() {
    return rows;
  }

  /** Stops recording a row: its episode is over (the batch still runs in lockstep). */
  @Override
  public void finish(int row) {
    finished[row] = true;
  }

  @Override
  public boolean isFinished(int row) {
    return finished[row];
  }

  /**
   * Appends the environment's tokens for each row to the cache ({@code null} or shorter rows are
   * padded to the longest); they are recorded as not sampled.
   */
  @Override
  public void feed(int[][] tokens) {
    int width = 0;
    for (int[] t : tokens) {
      width = Math.max(width, t == null ? 0 : t.length);
    }
    if (width == 0) {
      return;
    }
    int lead = pending == null ? 0 : 1;
    long[][] input = new long[rows][lead + width];
    for (int i = 0; i < rows; i++) {
      if (lead == 1) {
        input[i][0] = pending[i];
      }
      int[] row = tokens[i] == null ? new int[0] : tokens[i];
      for (int t = 0; t < width; t++) {
        int token = t < row.length ? row[t] : PAD;
        input[i][lead + t] = token;
        if (!finished[i]) {
          records[i].add(token, false, 0f);
        }
      }
    }
    pending = null;
    feedColumns(input);
  }

  /**
   * Samples one action for every row with {@code active[row]}: up to {@code maxTokens} tokens,
   * ending early at an end-of-sequence token. Other rows, and rows whose action ended, are fed
   * padding meanwhile. {@code random == null} takes the most likely token (greedy, log-prob as at
   * {@code temperature}).
   *
   * @return each active row's action tokens (end-of-sequence included); empty for the other rows
   */
  @Override
  public int[][] sampleActions(
      boolean[] active, int maxTokens, float temperature, SplittableRandom random) {
    int v = model.config().vocabSize();
    java.util.Set<Integer> eos = java.util.Set.copyOf(model.config().eosTokenIds());
    int[][] actions = new int[rows][maxTokens];
    int[] lengths = new int[rows];
    boolean[] open = active.clone();
    for (int i = 0; i < rows; i++) {
      open[i] &= !finished[i];
    }
    for (int t = 0; t < maxTokens && any(open); t++) {
      if (pending != null) {
        long[][] column = new long[rows][1];
        for (int i = 0; i < rows; i++) {
          column[i][0] = pending[i];
        }
        pending = null;
        feedColumns(column);
      }
      long[] next = new long[rows];
      for (int i = 0; i < rows; i++) {
        if (!open[i]) {
          // Every row the model sees a token for records it until its episode is over: teacher
          // forcing must see the same keys and positions.
          next[i] = PAD;
          if (!finished[i]) {
            records[i].add(PAD, false, 0f);
          }
          continue;
        }
        double[] logProbs = logSoftmax(lastLogits, i * v, v, temperature);
        int token = random == null ? argMax(logProbs) : draw(logProbs, random);
        actions[i][lengths[i]++] = token;
        records[i].add(token, true, (float) logProbs[token]);
        next[i] = token;
        if (eos.contains(token)) {
          open[i] = false;
        }
      }
      pending = next;
    }
    for (int i = 0; i < rows; i++) {
      actions[i] = Arrays.copyOf(actions[i], lengths[i]);
    }
    return actions;
  }

  /**
   * The episode a row recorded. Padding after its last sampled or environment token is dropped:
   * nothing after the end affects what came before.
   */
  @Override
  public Episode episode(int row) {
    return records[row].episode(PAD);
  }

  /** How many tokens a row has recorded so far. */
  @Override
  public int recorded(int row) {
    return records[row].length();
  }

  /** Tokens run through the model so far, per row: the prompt width once, then each token once. */
  public long tokensForwarded() {
    return tokensForwarded;
  }

  private void feedColumns(long[][] ids) {
    int width = ids[0].length;
    long[][] positions = new long[rows][width];
    for (int i = 0; i < rows; i++) {
      for (int t = 0; t < width; t++) {
        positions[i][t] = nextPosition[i]++;
      }
    }
    for (int t = 0; t < width; t++) {
      keyValid = LeftPadded.extend(keyValid);
    }
    forward(ids, positions);
  }

  private void forward(long[][] ids, long[][] positions) {
    try (NDManager step = manager.newSubManager()) {
      NDArray logits =
          model
              .block()
              .forwardLast(
                  parameters,
                  step.create(ids),
                  step.create(positions),
                  step.create(keyValid),
                  cache);
      lastLogits = logits.get(":, -1, :").toFloatArray();
      tokensForwarded += ids[0].length;
    }
  }

  /**
   * log softmax(logits ÷ temperature + the action mask) of one row, the mask added after the
   * temperature exactly as {@link verity.policy.Policy#completionLogProbs} adds it in training.
   */
  private double[] logSoftmax(float[] logits, int from, int v, float temperature) {
    double[] z = new double[v];
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < v; k++) {
      z[k] = logits[from + k] / (double) temperature + (logitMask == null ? 0 : logitMask[k]);
      max = Math.max(max, z[k]);
    }
    double sum = 0;
    for (int k = 0; k < v; k++) {
      sum += Math.exp(z[k] - max);
    }
    double logZ = max + Math.log(sum);
    for (int k = 0; k < v; k++) {
      z[k] -= logZ;
    }
    return z;
  }

  private static boolean any(boolean[] xs) {
    for (boolean x : xs) {
      if (x) {
        return true;
      }
    }
    return false;
  }

  private static int argMax(double[] values) {
    int best = 0;
    for (int k = 1; k < values.length; k++) {
      if (values[k] > values[best]) {
        best = k;
      }
    }
    return best;
  }

  private static int draw(double[] logProbs, SplittableRandom random) {
    double u = random.nextDouble();
    double cumulative = 0;
    for (int k = 0; k < logProbs.length; k++) {
      cumulative += Math.exp(logProbs[k]);
      if (u < cumulative) {
        return k;
      }
    }
    return argMax(logProbs); // rounding left u above the total: take the likeliest
  }

  @Override
  public void close() {
    manager.close();
  }
}
