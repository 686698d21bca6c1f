package verity.learner.grpo;

/**
 * GRPO's advantage: each sample's reward minus its group's mean, divided by the group's standard
 * deviation when {@code normalizeStd} (Dr. GRPO leaves it out). A group whose rewards are all equal
 * gets zero advantages: it carries no preference.
 */
public final class GroupAdvantages {
  private static final double EPSILON = 1e-6;

  private GroupAdvantages() {}

  public static float[] of(double[] rewards, boolean normalizeStd) {
    int n = rewards.length;
    float[] out = new float[n];
    if (n == 0) {
      return out;
    }
    double mean = 0;
    for (double r : rewards) {
      mean += r;
    }
    mean /= n;
    double var = 0;
    for (double r : rewards) {
      var += (r - mean) * (r - mean);
    }
    double std = Math.sqrt(var / n);
    for (int i = 0; i < n; i++) {
      double a = rewards[i] - mean;
      out[i] = (float) (normalizeStd ? (std < EPSILON ? 0 : a / (std + EPSILON)) : a);
    }
    return out;
  }
}
