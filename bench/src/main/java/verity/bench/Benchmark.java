package verity.bench;

import java.util.List;

/**
 * One end-to-end or micro benchmark run by {@code verity bench}: it measures its figures with their
 * baselines.
 */
public interface Benchmark {

  /** The name {@code --only} selects it by, e.g. {@code serialization}. */
  String name();

  /**
   * Measures this benchmark's figures. A benchmark that cannot measure throws; the runner then
   * records a failed row and goes on with the next.
   */
  List<verity.bench.report.Figure> run(BenchRun run) throws Exception;
}
