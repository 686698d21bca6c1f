package verity.bench.report;

import java.util.function.DoublePredicate;

/**
 * One row of the results table: a figure measured side by side with its baseline in the same run.
 *
 * @param name what is measured, e.g. "rollout overhead: tokens/s through the cluster"
 * @param value the figure with its unit, e.g. "12,345 tokens/s"
 * @param baseline the baseline with its unit and what it is, e.g. "13,000 tokens/s (plain loop)"
 * @param ratio value ÷ baseline (or the ratio the row's name defines); NaN when there is none; the
 *     mean over seeds for a figure measured over several
 * @param interval the ratio's per-seed values, mean and 95 % interval; null for a single run
 * @param target the target the ratio is held to, e.g. "≥ 0.9"; empty when there is none
 * @param verdict whether the target was met
 */
public record Figure(
    String name,
    String value,
    String baseline,
    double ratio,
    Interval interval,
    String target,
    Verdict verdict) {

  /** Whether a figure met its target. */
  public enum Verdict {
    /** The ratio (for seeds: its whole interval) is on the target's side. */
    MET,
    /** The ratio (for seeds: its whole interval) is on the wrong side, or there is no ratio. */
    MISSED,
    /** Over seeds: the interval straddles the target, or one seed gives no interval. */
    NOT_SHOWN,
    NO_TARGET,
    FAILED
  }

  /** A figure with no target. */
  public static Figure of(String name, String value, String baseline, double ratio) {
    return new Figure(name, value, baseline, ratio, null, "", Verdict.NO_TARGET);
  }

  /** A figure over seeds with no target. */
  public static Figure of(String name, String value, String baseline, Interval ratio) {
    return new Figure(name, value, baseline, ratio.mean(), ratio, "", Verdict.NO_TARGET);
  }

  /** A figure whose ratio must be at least {@code minimum}. */
  public static Figure atLeast(
      String name, String value, String baseline, double ratio, double minimum) {
    return new Figure(
        name,
        value,
        baseline,
        ratio,
        null,
        "≥ " + Format.ratio(minimum),
        ratio >= minimum ? Verdict.MET : Verdict.MISSED);
  }

  /**
   * A figure over seeds whose ratio must be at least {@code minimum}: met when the interval's lower
   * bound is at least {@code minimum}, missed when its upper bound is below it (or a seed gave no
   * ratio), not shown when the interval straddles it.
   */
  public static Figure atLeast(
      String name, String value, String baseline, Interval ratio, double minimum) {
    Verdict v = overSeeds(ratio, r -> r >= minimum);
    return new Figure(name, value, baseline, ratio.mean(), ratio, "≥ " + Format.ratio(minimum), v);
  }

  /** A figure whose ratio must be at most {@code maximum}. */
  public static Figure atMost(
      String name, String value, String baseline, double ratio, double maximum) {
    return new Figure(
        name,
        value,
        baseline,
        ratio,
        null,
        "≤ " + Format.ratio(maximum),
        ratio <= maximum ? Verdict.MET : Verdict.MISSED);
  }

  /**
   * A figure over seeds whose ratio must be at most {@code maximum}: met when the interval's upper
   * bound is at most {@code maximum}, missed when its lower bound is above it (or a seed gave no
   * ratio), not shown when the interval straddles it.
   */
  public static Figure atMost(
      String name, String value, String baseline, Interval ratio, double maximum) {
    Verdict v = overSeeds(ratio, r -> r <= maximum);
    return new Figure(name, value, baseline, ratio.mean(), ratio, "≤ " + Format.ratio(maximum), v);
  }

  /** A benchmark that could not produce its figure; the reason goes in the value column. */
  public static Figure failed(String name, String reason) {
    return new Figure(name, "failed: " + reason, "", Double.NaN, null, "", Verdict.FAILED);
  }

  /** The ratio column: the ratio, or over seeds its mean and 95 % interval. */
  public String ratioText() {
    return interval == null ? Format.ratio(ratio) : interval.brief("%.2f");
  }

  /**
   * The verdict over seeds: met when both ends of the interval meet the target, missed when neither
   * does (or a seed gave no ratio), not shown when the interval straddles it or has one seed.
   */
  private static Verdict overSeeds(Interval ratio, DoublePredicate meets) {
    if (Double.isNaN(ratio.mean())) {
      return Verdict.MISSED;
    }
    if (!ratio.bounded()) {
      return Verdict.NOT_SHOWN;
    }
    boolean lo = meets.test(ratio.lo());
    boolean hi = meets.test(ratio.hi());
    return lo && hi ? Verdict.MET : !lo && !hi ? Verdict.MISSED : Verdict.NOT_SHOWN;
  }
}
