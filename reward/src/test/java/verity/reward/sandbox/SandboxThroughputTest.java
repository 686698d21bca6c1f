package verity.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verity.envs.CheckResult;

/**
 * Measures honest verdicts per second and their latency through harness and sandbox. Timings vary
 * by machine, so they are logged and written to {@code target/sandbox-throughput.txt}, never
 * asserted; the test asserts only that every verdict is correct.
 */
class SandboxThroughputTest {
  private static final Logger LOG = LoggerFactory.getLogger(SandboxThroughputTest.class);
  private static final int WARM_UP = 5;
  private static final int SEQUENTIAL = 60;
  private static final int THREADS = 2;
  private static final int CONCURRENT = 60;

  @Test
  void shouldJudgeEveryHonestSolutionCorrectWhileMeasuringLatency() throws Exception {
    PythonHarnessTesting h = new PythonHarnessTesting();
    for (int i = 0; i < WARM_UP; i++) {
      timed(h);
    }
    long[] nanos = new long[SEQUENTIAL];
    long start = System.nanoTime();
    for (int i = 0; i < SEQUENTIAL; i++) {
      nanos[i] = timed(h);
    }
    double sequentialSeconds = (System.nanoTime() - start) / 1e9;

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<Long>> futures = new ArrayList<>();
    start = System.nanoTime();
    try {
      for (int i = 0; i < CONCURRENT; i++) {
        futures.add(pool.submit(() -> timed(h)));
      }
      for (Future<Long> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    double concurrentSeconds = (System.nanoTime() - start) / 1e9;

    Arrays.sort(nanos);
    String summary =
        String.format(
            "honest python-code verdicts: sequential %d in %.2f s = %.1f/s, p50 %.1f ms, p99 %.1f"
                + " ms, max %.1f ms; %d threads: %d in %.2f s = %.1f/s; %d cores",
            SEQUENTIAL,
            sequentialSeconds,
            SEQUENTIAL / sequentialSeconds,
            percentile(nanos, 0.50) / 1e6,
            percentile(nanos, 0.99) / 1e6,
            nanos[nanos.length - 1] / 1e6,
            THREADS,
            CONCURRENT,
            concurrentSeconds,
            CONCURRENT / concurrentSeconds,
            Runtime.getRuntime().availableProcessors());
    LOG.info(summary);
    write(summary);
  }

  private static long timed(PythonHarnessTesting h) {
    long t = System.nanoTime();
    CheckResult r = h.verdict(PythonHarnessTesting.HONEST);
    long took = System.nanoTime() - t;
    assertEquals(CheckResult.correct(), r);
    return took;
  }

  /** Nearest-rank percentile of sorted values. */
  private static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static void write(String summary) throws IOException {
    Path target = Path.of("target");
    if (Files.isDirectory(target)) {
      Files.writeString(target.resolve("sandbox-throughput.txt"), summary + "\n");
    }
  }
}
