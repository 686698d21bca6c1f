package verity.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import verity.bench.report.Figure;
import verity.bench.report.Format;
import verity.bench.report.Interval;
import verity.deploy.run.RunSummary;

/**
 * Wall-clock time to a greedy pass@1 target with staleness bound η = 4 against η = 0, on arith
 * (whose pass@1 is a training-set score: arith holds no pairs out, see {@code docs/suites.md}) with
 * long-tailed episodes and verifications: each leased task's episodes take an extra lognormal time
 * (a batch waits for its longest task) and each check an extra lognormal latency. Both runs use the
 * same seed (each figure runs over seeds 1..n, the two sides paired by seed), workers, warm start
 * and learning rate and train the same number of steps; η = 0 runs lock-step (a lease window of one
 * batch, so no work is generated that it would have to reject), η = 4 with a window of four
 * batches. The time to the target runs from the first evaluation after the warm start (RL begins
 * there) to the first evaluation at or above the target; the final pass@1 is that of the last step
 * of each run, so both are judged after the same number of updates. AReaL's control (uncorrected
 * against decoupled PPO at large staleness) is {@link ArealControlBench}.
 */
public final class AsyncSyncBench implements Benchmark {

  /** The workload both runs share: arith, 8 workers, long-tailed episodes and verifications. */
  static final String WORKLOAD =
      """
      verity.rollout.workers = 8
      verity.rollout.added-episode-time { distribution = lognormal, median = 150ms, sigma = 1.0, max = 2s }
      verity.reward.added-latency { distribution = lognormal, median = 50ms, sigma = 1.0, max = 1s }
      verity.reward.parallelism = 4096
      verity.rollout.evaluate-every-steps = 5
      verity.learner.learning-rate = 3e-3
      verity.learner.batch-groups = 32
      """;

  private static final int WARM_START_STEPS = 40;

  @Override
  public String name() {
    return "async-sync";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    double target = run.quick() ? 0.3 : 0.6;
    int steps = run.quick() ? 20 : 120;
    List<RunSummary> asyncRuns = new ArrayList<>();
    List<RunSummary> syncRuns = new ArrayList<>();
    // Seed by seed, both sides back to back, so that a machine that drifts over the benchmark
    // shows in both sides of each pair.
    for (long seed : run.seedList()) {
      asyncRuns.add(
          fixedSteps(
              run,
              "eta4",
              seed,
              WORKLOAD
                  + "verity.learner.max-staleness = 4\n"
                  + "verity.rollout.max-outstanding-tasks = 128\n",
              steps));
      syncRuns.add(
          fixedSteps(
              run,
              "eta0",
              seed,
              WORKLOAD
                  + "verity.learner.max-staleness = 0\n"
                  + "verity.rollout.max-outstanding-tasks = 32\n",
              steps));
    }
    int n = asyncRuns.size();
    double[] tAsync = new double[n];
    double[] tSync = new double[n];
    double[] speedUp = new double[n];
    double[] passAsync = new double[n];
    double[] passSync = new double[n];
    double[] gap = new double[n];
    for (int i = 0; i < n; i++) {
      RunSummary async = asyncRuns.get(i);
      RunSummary sync = syncRuns.get(i);
      tAsync[i] = secondsToTarget(async, target);
      tSync[i] = secondsToTarget(sync, target);
      // A run of η = 4 that never reached the target gives no speed-up to speak of; one of η = 0
      // that never reached it gives a lower bound (its time is a lower bound).
      speedUp[i] = reached(async, target) ? tSync[i] / tAsync[i] : Double.NaN;
      passAsync[i] = async.finalPass();
      passSync[i] = sync.finalPass();
      gap[i] = Math.abs(async.finalPass() - sync.finalPass()) * 100;
    }
    List<Figure> figures = new ArrayList<>();
    String what =
        String.format(
            Locale.ROOT,
            "async vs sync: time to training-set pass@1 %.2f on arith with lognormal episode time"
                + " (median 150 ms, σ 1) and verifier delay (median 50 ms, σ 1), 8 workers",
            target);
    figures.add(
        Figure.atLeast(
            what + "; speed-up η = 4 over η = 0",
            describe("η = 4", tAsync, asyncRuns, target),
            describe("η = 0 lock-step", tSync, syncRuns, target),
            Interval.of(speedUp),
            2.5));
    figures.add(
        Figure.atMost(
            "async vs sync: final training-set pass@1 (arith) after "
                + steps
                + " steps each, gap in points",
            "η = 4: " + Interval.of(passAsync).describe("%.2f"),
            "η = 0: " + Interval.of(passSync).describe("%.2f"),
            Interval.of(gap),
            2.0));
    return figures;
  }

  /** The work directory's name of one run: its configuration and its seed. */
  static String label(String config, long seed) {
    return config + "-s" + seed;
  }

  private RunSummary fixedSteps(BenchRun run, String config, long seed, String settings, int steps)
      throws IOException, InterruptedException {
    return DevProcess.runDev(
        run,
        label(config, seed),
        settings,
        List.of(
            "--seed",
            Long.toString(seed),
            "--warm-start-steps",
            Integer.toString(WARM_START_STEPS),
            "--max-steps",
            Integer.toString(steps)));
  }

  /**
   * Seconds from the first evaluation (the end of the warm start) to the first at or above the
   * target; the whole run's RL time (a lower bound) when the target was not reached.
   *
   * @throws IllegalStateException when the run has no evaluation
   */
  static double secondsToTarget(RunSummary s, double target) {
    return secondsToTarget(s.curve(), s.wallSeconds(), target);
  }

  static double secondsToTarget(
      List<RunSummary.CurvePoint> curve, double wallSeconds, double target) {
    if (curve.isEmpty()) {
      throw new IllegalStateException("the run has no evaluation: nothing to time");
    }
    double start = curve.get(0).seconds();
    for (RunSummary.CurvePoint p : curve) {
      if (p.pass() >= target) {
        return p.seconds() - start;
      }
    }
    return wallSeconds - start;
  }

  private static boolean reached(RunSummary s, double target) {
    return s.curve().stream().anyMatch(p -> p.pass() >= target);
  }

  /** The time to the target over seeds, with how many runs never reached it (a lower bound). */
  private static String describe(
      String label, double[] seconds, List<RunSummary> runs, double target) {
    long unreached = runs.stream().filter(s -> !reached(s, target)).count();
    long rejected = runs.stream().mapToLong(s -> s.trajectories().rejectedStale()).sum();
    return String.format(
        Locale.ROOT,
        "%s: %s s (%d steps each%s%s)",
        label,
        Interval.of(seconds).describe("%.1f"),
        runs.get(0).steps(),
        unreached > 0
            ? "; " + unreached + " never reached it: their time is the whole run, a lower bound"
            : "",
        rejected > 0
            ? "; "
                + Format.count(rejected / (double) runs.size())
                + " trajectories rejected stale"
                + " a run"
            : "");
  }

  /** The mean staleness the learner reported over the run, read from its log lines. */
  static double staleness(BenchRun run, String label) throws IOException {
    double sum = 0;
    int n = 0;
    for (String line : Files.readAllLines(run.workDir().resolve(label).resolve("out.txt"))) {
      int at = line.indexOf("staleness ");
      if (line.startsWith("step") && at >= 0) {
        String v = line.substring(at + "staleness ".length()).trim().split("\\s+")[0];
        sum += Double.parseDouble(v);
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }
}
