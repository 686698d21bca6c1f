package verity.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import verity.bench.report.Figure;
import verity.bench.report.Format;
import verity.deploy.run.RunSummary;

/**
 * Wall-clock time to a greedy pass@1 target with staleness bound η = 4 against η = 0, on arith
 * (whose pass@1 is a training-set score: arith holds no pairs out, see {@code docs/suites.md}) with
 * long-tailed episodes and verifications: each leased task's episodes take an extra lognormal time
 * (a batch waits for its longest task) and each check an extra lognormal latency. Both runs use the
 * same seed, workers, warm start and learning rate and train the same number of steps; η = 0 runs
 * lock-step (a lease window of one batch, so no work is generated that it would have to reject), η
 * = 4 with a window of four batches. The time to the target runs from the first evaluation after
 * the warm start (RL begins there) to the first evaluation at or above the target; the final pass@1
 * is that of the last step of each run, so both are judged after the same number of updates. The
 * full run adds the control AReaL reports: at a large staleness bound (η = 16, a window of 16
 * batches, no added delays so that generation runs far ahead) the uncorrected PPO loss against
 * decoupled PPO, same steps.
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
    RunSummary async =
        fixedSteps(
            run,
            "eta4",
            WORKLOAD
                + "verity.learner.max-staleness = 4\n"
                + "verity.rollout.max-outstanding-tasks = 128\n",
            steps);
    RunSummary sync =
        fixedSteps(
            run,
            "eta0",
            WORKLOAD
                + "verity.learner.max-staleness = 0\n"
                + "verity.rollout.max-outstanding-tasks = 32\n",
            steps);
    double tAsync = secondsToTarget(async, target);
    double tSync = secondsToTarget(sync, target);
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
            describe("η = 4", tAsync, async, target),
            describe("η = 0 lock-step", tSync, sync, target),
            // A run of η = 4 that never reached the target gives no speed-up to speak of; one of
            // η = 0 that never reached it gives a lower bound (its time is a lower bound).
            reached(async, target) ? tSync / tAsync : Double.NaN,
            2.5));
    double gap = Math.abs(async.finalPass() - sync.finalPass()) * 100;
    figures.add(
        Figure.atMost(
            "async vs sync: final training-set pass@1 (arith) after "
                + steps
                + " steps each, gap in points",
            String.format(Locale.ROOT, "η = 4: %.2f", async.finalPass()),
            String.format(Locale.ROOT, "η = 0: %.2f", sync.finalPass()),
            gap,
            2.0));
    if (!run.quick()) {
      figures.addAll(control(run));
    }
    return figures;
  }

  /** Uncorrected PPO against decoupled PPO at a large staleness bound, same steps. */
  private List<Figure> control(BenchRun run) throws IOException, InterruptedException {
    String stale =
        """
        verity.rollout.workers = 8
        verity.rollout.evaluate-every-steps = 25
        verity.learner.learning-rate = 3e-3
        verity.learner.max-staleness = 16
        verity.rollout.max-outstanding-tasks = 512
        """;
    int steps = 150;
    RunSummary ppo =
        fixedSteps(run, "eta16-ppo", stale + "verity.learner.objective = ppo\n", steps);
    RunSummary decoupled =
        fixedSteps(
            run, "eta16-decoupled", stale + "verity.learner.objective = decoupled-ppo\n", steps);
    RunSummary fresh =
        fixedSteps(
            run,
            "eta0-ppo",
            stale
                    .replace("max-staleness = 16", "max-staleness = 0")
                    .replace("max-outstanding-tasks = 512", "max-outstanding-tasks = 32")
                + "verity.learner.objective = ppo\n",
            steps);
    String name =
        "control (AReaL): final training-set pass@1 (arith) after "
            + steps
            + " steps at η = 16 (window 16 batches, no added delays), uncorrected PPO ÷ decoupled"
            + " PPO";
    return List.of(
        Figure.of(
            name,
            String.format(
                Locale.ROOT,
                "PPO %.2f (mean staleness %s)",
                ppo.finalPass(),
                staleness(run, "eta16-ppo")),
            String.format(
                Locale.ROOT,
                "decoupled PPO %.2f (mean staleness %s); η = 0 PPO %.2f",
                decoupled.finalPass(),
                staleness(run, "eta16-decoupled"),
                fresh.finalPass()),
            decoupled.finalPass() > 0 ? ppo.finalPass() / decoupled.finalPass() : Double.NaN));
  }

  private RunSummary fixedSteps(BenchRun run, String label, String config, int steps)
      throws IOException, InterruptedException {
    Path dir = run.workDir().resolve(label);
    Files.createDirectories(dir);
    Path conf = Files.writeString(dir.resolve("bench.conf"), config);
    RunSummary s =
        DevProcess.run(
            dir,
            List.of(
                "dev",
                "--seed",
                "1",
                "--config",
                conf.toString(),
                "--warm-start-steps",
                Integer.toString(WARM_START_STEPS),
                "--max-steps",
                Integer.toString(steps)));
    run.log()
        .printf(
            Locale.ROOT,
            "%s: %d steps, %.1f s, pass@1 %.2f -> %.2f on the %s split, rejected stale %d%n",
            label,
            s.steps(),
            s.wallSeconds(),
            s.initialPass(),
            s.finalPass(),
            s.finalSplit(),
            s.trajectories().rejectedStale());
    return s;
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

  private static String describe(String label, double seconds, RunSummary s, double target) {
    boolean reached = reached(s, target);
    return String.format(
        Locale.ROOT,
        "%s: %s%.1f s (%d steps in all, %.1f s)%s",
        label,
        reached ? "" : "> ",
        seconds,
        s.steps(),
        s.wallSeconds(),
        s.trajectories().rejectedStale() > 0
            ? ", " + Format.count(s.trajectories().rejectedStale()) + " trajectories rejected stale"
            : "");
  }

  /** The mean staleness the learner reported over the run, read from its log lines. */
  private static String staleness(BenchRun run, String label) throws IOException {
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
    return n == 0 ? "?" : String.format(Locale.ROOT, "%.1f", sum / n);
  }
}
