package verity.learner.optim;

/** Checks and transforms of flat gradients, shared by the coordinator and the shards. */
public final class Gradients {
  private Gradients() {}

  /** Adds {@code part} into {@code sum} element by element. */
  public static void accumulate(float[] sum, float[] part) {
    if (sum.length != part.length) {
      throw new IllegalArgumentException(
          "gradients differ in length: " + sum.length + " vs " + part.length);
    }
    for (int i = 0; i < sum.length; i++) {
      sum[i] += part[i];
    }
  }

  /** The global L2 norm; NaN or infinite when any element is. */
  public static double norm(float[] g) {
    double s = 0;
    for (float x : g) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  /** Scales {@code g} down to {@code maxNorm} if its norm is larger; returns the norm before. */
  public static double clip(float[] g, double maxNorm) {
    double norm = norm(g);
    if (Double.isFinite(norm) && norm > maxNorm) {
      float scale = (float) (maxNorm / norm);
      for (int i = 0; i < g.length; i++) {
        g[i] *= scale;
      }
    }
    return norm;
  }
}
