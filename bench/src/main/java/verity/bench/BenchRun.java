package verity.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;

/**
 * What a benchmark is run with.
 *
 * @param quick the short version (the whole quick run must finish in under 5 minutes on 2 cores)
 * @param seeds how many seeds each learning figure runs over (seeds 1..n): quick 2, full 5
 * @param workDir a directory of its own for data dirs, logs and child-process output
 * @param log where progress goes (stdout); the figures themselves are returned, not printed
 */
public record BenchRun(boolean quick, int seeds, Path workDir, PrintStream log) {
  /** Seeds of a quick run's learning figures. */
  public static final int QUICK_SEEDS = 2;

  /** Seeds of a full run's learning figures. */
  public static final int FULL_SEEDS = 5;

  public BenchRun {
    if (seeds < 1) {
      throw new IllegalArgumentException("seeds must be at least 1, was " + seeds);
    }
  }

  /** A run with the default seed count of its kind. */
  public BenchRun(boolean quick, Path workDir, PrintStream log) {
    this(quick, quick ? QUICK_SEEDS : FULL_SEEDS, workDir, log);
  }

  /** The seeds 1..{@link #seeds()} that a learning figure passes to {@code verity dev --seed}. */
  public List<Long> seedList() {
    return LongStream.rangeClosed(1, seeds).boxed().toList();
  }
}
