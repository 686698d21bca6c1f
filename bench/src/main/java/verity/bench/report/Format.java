package verity.bench.report;

import java.util.Locale;

/** Number formats shared by the benchmarks, so that every row of the table reads alike. */
public final class Format {
  private Format() {}

  /** A ratio with two decimals, or "–" when there is none. */
  public static String ratio(double r) {
    return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f", r) : "–";
  }

  /** A count or rate with thousands separators and no decimals, e.g. "12,345". */
  public static String count(double x) {
    return String.format(Locale.ROOT, "%,.0f", x);
  }

  /** Milliseconds with a precision that suits their size, e.g. "0.012 ms", "4.3 ms", "812 ms". */
  public static String millis(double ms) {
    if (ms < 1) {
      return String.format(Locale.ROOT, "%.3f ms", ms);
    }
    if (ms < 100) {
      return String.format(Locale.ROOT, "%.1f ms", ms);
    }
    return String.format(Locale.ROOT, "%,.0f ms", ms);
  }

  /** Bytes as MiB with one decimal. */
  public static String mib(double bytes) {
    return String.format(Locale.ROOT, "%,.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
