package verity.bench;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import verity.bench.report.Figure;
import verity.bench.report.Format;
import verity.envs.CheckResult;
import verity.envs.Outcome;
import verity.envs.Suite;
import verity.envs.Suites;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.reward.PlanExecutor;

/**
 * Verdicts per second and latency (p50, p99) of each suite's checks, the way a verifier pool runs
 * them: {@code parallelism} checks at once through the suite's {@link PlanExecutor} (the bubblewrap
 * sandbox for {@code python-code}). The baseline, measured in the same run, is the same checks one
 * at a time on one thread; the ratio says what the pool's second slot buys on this machine. Half
 * the completions are the suite's demonstration (correct), half a corrupted one (wrong or
 * malformed), so both paths of each check are timed.
 *
 * <p>Run with {@code verity bench --only verifiers}: 400 checks per suite (python-code a tenth);
 * quick: 100.
 */
public final class VerifierBench implements Benchmark {

  /** One check to run: a task and a completion. */
  private record Item(Task task, String completion) {}

  /** Timings of one pass over the items. */
  private record Pass(double seconds, long[] nanos, int correct) {
    double perSecond() {
      return nanos.length / seconds;
    }

    double percentileMillis(double q) {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      int at = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
      return sorted[Math.max(0, at)] / 1e6;
    }
  }

  @Override
  public String name() {
    return "verifiers";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    int checks = run.quick() ? 100 : 400;
    int parallelism = 2;
    List<Figure> figures = new ArrayList<>();
    for (String name : Suites.names()) {
      Suite suite = Suites.byName(name);
      int n = suite.runsPrograms() ? Math.max(20, checks / 10) : checks;
      PlanExecutor executor = PlanExecutor.forSuite(suite, ConfigFactory.load());
      List<Item> items = items(suite, n);
      pass(executor, suite, items.subList(0, Math.min(10, items.size())), 1); // warm-up
      Pass single = pass(executor, suite, items, 1);
      Pass pool = pass(executor, suite, items, parallelism);
      run.log()
          .printf(
              Locale.ROOT,
              "  %-12s one thread %,.0f/s (p99 %.3f ms), pool %,.0f/s (p50 %.3f ms, p99 %.3f ms);"
                  + " %d checks, %d correct%n",
              name,
              single.perSecond(),
              single.percentileMillis(0.99),
              pool.perSecond(),
              pool.percentileMillis(0.50),
              pool.percentileMillis(0.99),
              items.size(),
              pool.correct());
      figures.add(
          Figure.of(
              "verifier "
                  + name
                  + (suite.runsPrograms() ? " (bubblewrap sandbox)" : "")
                  + ": verdicts/s and p99 check latency, a pool of "
                  + parallelism
                  + " against one thread",
              Format.count(pool.perSecond())
                  + "/s, p99 "
                  + Format.millis(pool.percentileMillis(0.99)),
              Format.count(single.perSecond())
                  + "/s, p99 "
                  + Format.millis(single.percentileMillis(0.99))
                  + " (one thread)",
              pool.perSecond() / single.perSecond()));
    }
    return figures;
  }

  private static List<Item> items(Suite suite, int n) {
    List<Item> items = new ArrayList<>(n);
    TaskGenerator tasks = suite.generator(7);
    int tries = 0;
    while (items.size() < n && tries++ < n * 20) {
      Task task = tasks.next();
      Optional<String> demo = suite.demonstration(task);
      if (demo.isEmpty()) {
        continue;
      }
      String right = demo.get();
      String completion = items.size() % 2 == 0 ? right : corrupt(right);
      items.add(new Item(task, completion));
    }
    if (items.isEmpty()) {
      throw new IllegalStateException("suite " + suite.name() + " has no demonstrations to time");
    }
    return items;
  }

  /** A wrong completion of the same length: its middle character changed. */
  private static String corrupt(String s) {
    if (s.isEmpty()) {
      return "?";
    }
    int at = s.length() / 2;
    char c = s.charAt(at);
    char other = Character.isDigit(c) ? (char) ('0' + (c - '0' + 1) % 10) : (c == 'N' ? 'S' : 'N');
    return s.substring(0, at) + other + s.substring(at + 1);
  }

  private static Pass pass(PlanExecutor executor, Suite suite, List<Item> items, int threads)
      throws Exception {
    long[] nanos = new long[items.size()];
    CheckResult[] results = new CheckResult[items.size()];
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        int k = i;
        running.add(
            pool.submit(
                () -> {
                  long t0 = System.nanoTime();
                  Item item = items.get(k);
                  results[k] = executor.execute(suite.plan(item.task(), item.completion()));
                  nanos[k] = System.nanoTime() - t0;
                }));
      }
      for (Future<?> f : running) {
        f.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      int correct = 0;
      for (CheckResult r : results) {
        if (r.outcome() == Outcome.CORRECT) {
          correct++;
        }
      }
      return new Pass(seconds, nanos, correct);
    } finally {
      pool.shutdown();
    }
  }
}
