package verity.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Generates a batch of episodes side by side, keeping the recurrent state between turns: the
 * environment's tokens are fed ({@link #feed}), the policy's actions are sampled ({@link
 * #sampleActions}), for as many turns as the episodes last. Every row is fed in lockstep; each row
 * records exactly the tokens the model saw after its prompt (padding included) and which of them it
 * sampled, so that teacher forcing over the record reproduces the sampling states. A sampled token
 * is fed lazily, together with whatever comes next, which saves a forward pass per turn. Used by
 * one thread at a time; native memory of each forward pass is freed at once.
 */
public final class EpisodeGenerator implements Episodes {
  private final PolicySpec spec;
  private final GruPolicyBlock block;
  private final ParameterStore parameters;
  private final NDManager manager;
  private final int rows;
  private final EpisodeRecord[] records;
  private final boolean[] finished;
  private NDArray state;
  private float[] lastLogits;
  private float lastTemperature = Float.NaN;
  private float[] lastLogProbs;
  private long[] pending;
  private final float[] logitMask;

  EpisodeGenerator(
      PolicySpec spec,
      GruPolicyBlock block,
      ParameterStore parameters,
      NDManager parent,
      int[][] prompts) {
    this.spec = spec;
    this.block = block;
    this.parameters = parameters;
    this.manager = parent.newSubManager();
    this.rows = prompts.length;
    this.records = new EpisodeRecord[rows];
    this.finished = new boolean[rows];
    this.logitMask = spec.logitMask();
    for (int i = 0; i < rows; i++) {
      records[i] = new EpisodeRecord();
    }
    int p = spec.maxPromptTokens();
    long[] laid = new long[rows * p];
    for (int i = 0; i < rows; i++) {
      int[] row = PromptLayout.layout(spec, prompts[i]);
      for (int t = 0; t < p; t++) {
        laid[i * p + t] = row[t];
      }
    }
    this.state = manager.zeros(new Shape(spec.layers(), rows, spec.hidden()), DataType.FLOAT32);
    forward(laid, p);
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
   * Feeds the environment's tokens for each row ({@code null} or shorter rows are padded to the
   * longest); the tokens are recorded as not sampled.
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
    long[] input = new long[rows * (lead + width)];
    for (int i = 0; i < rows; i++) {
      int at = i * (lead + width);
      if (lead == 1) {
        input[at] = pending[i];
      }
      int[] row = tokens[i] == null ? new int[0] : tokens[i];
      for (int t = 0; t < width; t++) {
        int token = t < row.length ? row[t] : spec.padToken();
        input[at + lead + t] = token;
        if (!finished[i]) {
          records[i].add(token, false, 0f);
        }
      }
    }
    pending = null;
    forward(input, lead + width);
  }

  /**
   * Samples one action for every row with {@code active[row]}: up to {@code maxTokens} tokens,
   * ending early at end-of-sequence. Rows that are not active, or whose action already ended, are
   * fed padding meanwhile. {@code random == null} picks the most likely token (greedy).
   *
   * @return each active row's action tokens (end-of-sequence included when sampled); an empty array
   *     for the other rows
   */
  @Override
  public int[][] sampleActions(
      boolean[] active, int maxTokens, float temperature, SplittableRandom random) {
    int v = spec.vocabSize();
    int[][] actions = new int[rows][];
    int[] lengths = new int[rows];
    boolean[] open = active.clone();
    for (int i = 0; i < rows; i++) {
      actions[i] = new int[maxTokens];
      open[i] &= !finished[i];
    }
    for (int t = 0; t < maxTokens && any(open); t++) {
      if (pending != null) {
        forward(pending, 1);
        pending = null;
      }
      float[] lp = logProbs(temperature);
      long[] next = new long[rows];
      for (int i = 0; i < rows; i++) {
        if (!open[i]) {
          next[i] = spec.padToken();
          if (active[i] && !finished[i]) {
            records[i].add(spec.padToken(), false, 0f);
          }
          continue;
        }
        int token = random == null ? argmax(lp, i * v, v) : draw(lp, i * v, v, random);
        actions[i][lengths[i]++] = token;
        records[i].add(token, true, lp[i * v + token]);
        next[i] = token;
        if (token == spec.eosToken()) {
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
    return records[row].episode(spec.padToken());
  }

  /** How many tokens a row has recorded so far (for version segments). */
  @Override
  public int recorded(int row) {
    return records[row].length();
  }

  private void forward(long[] input, int width) {
    try (NDManager step = manager.newSubManager()) {
      NDArray ids = step.create(input, new Shape(rows, width));
      NDList out = block.forward(parameters, new NDList(ids, state), false);
      NDArray next = out.get(1);
      next.attach(manager);
      state.close();
      state = next;
      lastLogits = out.get(0).get(":, -1, :").toFloatArray();
      lastLogProbs = null;
    }
  }

  /** Log-softmax of the last logits at this temperature, on the Java side. */
  private float[] logProbs(float temperature) {
    if (lastLogProbs != null && temperature == lastTemperature) {
      return lastLogProbs;
    }
    int v = spec.vocabSize();
    float[] out = new float[lastLogits.length];
    for (int i = 0; i < rows; i++) {
      int from = i * v;
      // The action mask is added after the temperature, exactly as in training.
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < v; k++) {
        max = Math.max(max, lastLogits[from + k] / temperature + logitMask[k]);
      }
      double sum = 0;
      for (int k = 0; k < v; k++) {
        sum += Math.exp(lastLogits[from + k] / temperature + logitMask[k] - max);
      }
      double log = max + Math.log(sum);
      for (int k = 0; k < v; k++) {
        out[from + k] = (float) (lastLogits[from + k] / temperature + logitMask[k] - log);
      }
    }
    lastTemperature = temperature;
    lastLogProbs = out;
    return out;
  }

  private static boolean any(boolean[] xs) {
    for (boolean x : xs) {
      if (x) {
        return true;
      }
    }
    return false;
  }

  private static int argmax(float[] lp, int from, int v) {
    int best = 0;
    for (int k = 1; k < v; k++) {
      if (lp[from + k] > lp[from + best]) {
        best = k;
      }
    }
    return best;
  }

  private static int draw(float[] lp, int from, int v, SplittableRandom random) {
    double u = random.nextDouble();
    double cumulative = 0;
    for (int k = 0; k < v; k++) {
      cumulative += Math.exp(lp[from + k]);
      if (u < cumulative) {
        return k;
      }
    }
    return argmax(lp, from, v); // rounding left u above the total: take the likeliest
  }

  @Override
  public void close() {
    manager.close();
  }
}
