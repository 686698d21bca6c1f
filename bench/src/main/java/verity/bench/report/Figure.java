package verity.bench.report;

/**
 * One row of the results table: a figure measured side by side with its baseline in the same run.
 *
 * @param name what is measured, e.g. "rollout overhead: tokens/s through the cluster"
 * @param value the figure with its unit, e.g. "12,345 tokens/s"
 * @param baseline the baseline with its unit and what it is, e.g. "13,000 tokens/s (plain loop)"
 * @param ratio value ÷ baseline (or the ratio the row's name defines); NaN when there is none
 * @param target the target the ratio is held to, e.g. "≥ 0.9"; empty when there is none
 * @param verdict whether the target was met
 */
public record Figure(
    String name, String value, String baseline, double ratio, String target, Verdict verdict) {

  /** Whether a figure met its target. */
  public enum Verdict {
    MET,
    MISSED,
    NO_TARGET,
    FAILED
  }

  /** A figure with no target. */
  public static Figure of(String name, String value, String baseline, double ratio) {
    return new Figure(name, value, baseline, ratio, "", Verdict.NO_TARGET);
  }

  /** A figure whose ratio must be at least {@code minimum}. */
  public static Figure atLeast(
      String name, String value, String baseline, double ratio, double minimum) {
    return new Figure(
        name,
        value,
        baseline,
        ratio,
        "≥ " + Format.ratio(minimum),
        ratio >= minimum ? Verdict.MET : Verdict.MISSED);
  }

  /** A figure whose ratio must be at most {@code maximum}. */
  public static Figure atMost(
      String name, String value, String baseline, double ratio, double maximum) {
    return new Figure(
        name,
        value,
        baseline,
        ratio,
        "≤ " + Format.ratio(maximum),
        ratio <= maximum ? Verdict.MET : Verdict.MISSED);
  }

  /** A benchmark that could not produce its figure; the reason goes in the value column. */
  public static Figure failed(String name, String reason) {
    return new Figure(name, "failed: " + reason, "", Double.NaN, "", Verdict.FAILED);
  }
}
