package verity.bench.report;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The mean of per-seed values with its 95 % confidence interval from Student's t: {@code mean ±
 * t(0.975, n-1) · s / √n}, where {@code s} is the sample standard deviation (divided by n-1) and
 * {@code t(0.975, n-1)} the two-sided 95 % quantile with n-1 degrees of freedom (12.706 for 2
 * seeds, 4.303 for 3, 2.776 for 5). With one value there is no interval: {@code lo} and {@code hi}
 * are NaN. A value that is not finite (a run that gave no figure) makes the mean and the interval
 * NaN, so that it cannot pass for a measurement.
 *
 * @param values the per-seed values, in seed order
 */
public record Interval(List<Double> values, double mean, double lo, double hi) {

  /** t(0.975, df) for df = 1..30; above 30 the normal quantile's 1.96 is close enough. */
  private static final double[] T_975 = {
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042
  };

  public Interval {
    values = List.copyOf(values);
  }

  /**
   * @throws IllegalArgumentException when there are no values
   */
  public static Interval of(double... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values: an interval needs at least one seed");
    }
    List<Double> list = Arrays.stream(values).boxed().toList();
    int n = values.length;
    if (Arrays.stream(values).anyMatch(v -> !Double.isFinite(v))) {
      return new Interval(list, Double.NaN, Double.NaN, Double.NaN);
    }
    double mean = Arrays.stream(values).sum() / n;
    if (n == 1) {
      return new Interval(list, mean, Double.NaN, Double.NaN);
    }
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    double half = t975(n - 1) * Math.sqrt(squares / (n - 1)) / Math.sqrt(n);
    return new Interval(list, mean, mean - half, mean + half);
  }

  /** The interval of the ratios {@code a[i] / b[i]}, paired by seed. */
  public static Interval ofRatios(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(a.length + " values against " + b.length + " baselines");
    }
    double[] r = new double[a.length];
    Arrays.setAll(r, i -> b[i] == 0 ? Double.NaN : a[i] / b[i]);
    return of(r);
  }

  /** Student's t quantile t(0.975, df). */
  static double t975(int df) {
    if (df < 1) {
      throw new IllegalArgumentException("degrees of freedom " + df);
    }
    return df <= T_975.length ? T_975[df - 1] : 1.96;
  }

  public int n() {
    return values.size();
  }

  /** Whether there is an interval: at least two seeds and every value finite. */
  public boolean bounded() {
    return Double.isFinite(lo) && Double.isFinite(hi);
  }

  /**
   * "mean [lo, hi] (n seeds: v1, v2, …)" with the numbers in {@code format} (a {@link
   * String#format} pattern for one double, e.g. "%.2f"); a value that is not finite shows as "–".
   */
  public String describe(String format) {
    String each = values.stream().map(v -> number(format, v)).collect(Collectors.joining(", "));
    String seeds = n() + (n() == 1 ? " seed: " : " seeds: ");
    String range = bounded() ? " [" + number(format, lo) + ", " + number(format, hi) + "]" : "";
    return number(format, mean) + range + " (" + seeds + each + ")";
  }

  /** The mean and interval alone, "mean [lo, hi]", for the ratio column. */
  public String brief(String format) {
    return number(format, mean)
        + (bounded() ? " [" + number(format, lo) + ", " + number(format, hi) + "]" : "");
  }

  private static String number(String format, double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "–";
  }
}
