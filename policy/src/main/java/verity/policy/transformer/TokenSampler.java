package verity.policy.transformer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws the next token from a row of logits: at temperature 0 the most likely one; otherwise from
 * the softmax of logits ÷ temperature, restricted when {@code topP < 1} to the smallest set of most
 * likely tokens whose probability reaches {@code topP} and renormalized over it. The log-prob it
 * returns is the drawn token's under exactly that distribution (0 for greedy, which is a point
 * mass), so a learner can weigh the token by what really sampled it.
 */
public final class TokenSampler {
  private final float temperature;
  private final float topP;

  /** One draw: the token and its log-probability under the distribution it was drawn from. */
  public record Draw(int token, float logProb) {}

  public TokenSampler(float temperature, float topP) {
    if (!(temperature >= 0) || Float.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be 0 or positive, was " + temperature);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top-p must be in (0, 1], was " + topP);
    }
    this.temperature = temperature;
    this.topP = topP;
  }

  public boolean greedy() {
    return temperature == 0;
  }

  public Draw draw(float[] logits, SplittableRandom random) {
    if (greedy()) {
      int best = 0;
      for (int i = 1; i < logits.length; i++) {
        if (logits[i] > logits[best]) {
          best = i;
        }
      }
      return new Draw(best, 0f);
    }
    double[] logProbs = logSoftmax(logits, temperature);
    if (topP < 1) {
      restrictToNucleus(logProbs, topP);
    }
    double u = random.nextDouble();
    double cumulative = 0;
    int last = -1;
    for (int i = 0; i < logProbs.length; i++) {
      if (logProbs[i] == Double.NEGATIVE_INFINITY) {
        continue;
      }
      last = i;
      cumulative += Math.exp(logProbs[i]);
      if (u < cumulative) {
        return new Draw(i, (float) logProbs[i]);
      }
    }
    // Rounding left u above the last cumulative sum: the last token in the support.
    return new Draw(last, (float) logProbs[last]);
  }

  /** log softmax(logits ÷ temperature), in double. */
  static double[] logSoftmax(float[] logits, float temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l / (double) temperature);
    }
    double sum = 0;
    for (float l : logits) {
      sum += Math.exp(l / (double) temperature - max);
    }
    double logZ = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i] / (double) temperature - logZ;
    }
    return out;
  }

  /**
   * Keeps the most likely tokens until their probability reaches {@code p} (at least one), sets the
   * others to -∞ and renormalizes the kept ones.
   */
  static void restrictToNucleus(double[] logProbs, float p) {
    Integer[] order = new Integer[logProbs.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(logProbs[b], logProbs[a]));
    double kept = 0;
    int keep = 0;
    while (keep < order.length && (keep == 0 || kept < p)) {
      kept += Math.exp(logProbs[order[keep]]);
      keep++;
    }
    double logKept = Math.log(kept);
    for (int k = 0; k < order.length; k++) {
      int i = order[k];
      logProbs[i] = k < keep ? logProbs[i] - logKept : Double.NEGATIVE_INFINITY;
    }
  }
}
