package verity.bench;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import verity.bench.learning.PlainGrpoLoop;
import verity.bench.report.Figure;
import verity.bench.report.Interval;
import verity.deploy.cli.VerityConfig;
import verity.deploy.run.ModelProperties;
import verity.deploy.run.RunPlan;
import verity.deploy.run.RunSummary;

/**
 * Learning speed through the cluster (issue 15): wall time to greedy pass@1 {@code target} on arith
 * through {@code verity dev} (default settings: one rollout worker, staleness bound 2, no warm
 * start) against a {@link PlainGrpoLoop} on the plan the same dev run uses (same policy, objective,
 * hyperparameters, batch, seed, evaluation set and cadence), seed by seed. The ratio is the plain
 * loop's time ÷ the cluster's, so that it reads as the cluster's learning speed relative to the
 * loop's: 1 is as fast, 0.8 (the target) means the cluster takes 1.25 times as long; above 1 the
 * cluster is faster (it generates while it trains). Both times run from the end of the first
 * evaluation (step 0) to the end of the first evaluation at or above the target, evaluations
 * included on both sides: the cluster's evaluator runs beside training, the loop's evaluations run
 * in line (its time without them is shown too). Steps to the target are reported beside, to tell
 * time per step apart from samples per improvement.
 */
public final class LearningSpeedBench implements Benchmark {
  /** The target the issue sets: time to 0.95 on arith. */
  static final double FULL_TARGET = 0.95;

  /** A quick run stops at a lower pass@1 that a dev run reaches in about a minute. */
  static final double QUICK_TARGET = 0.3;

  /** The loop's learning speed ÷ the cluster's must be at least this. */
  static final double MINIMUM = 0.8;

  /** One seed of both sides. */
  record SeedResult(
      long seed,
      double clusterSeconds,
      long clusterSteps,
      boolean clusterReached,
      double loopSeconds,
      double loopTrainSeconds,
      long loopSteps,
      boolean loopReached) {
    /** The loop's time ÷ the cluster's; none unless both reached the target. */
    double ratio() {
      return clusterReached && loopReached ? loopSeconds / clusterSeconds : Double.NaN;
    }
  }

  @Override
  public String name() {
    return "learning-speed";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    double target = run.quick() ? QUICK_TARGET : FULL_TARGET;
    long maxSteps = run.quick() ? 400 : 2500;
    List<SeedResult> results = new ArrayList<>();
    for (long seed : run.seedList()) {
      results.add(measure(run, seed, target, maxSteps));
    }
    return figures(target, maxSteps, results);
  }

  private SeedResult measure(BenchRun run, long seed, double target, long maxSteps)
      throws IOException, InterruptedException {
    Path dir = Files.createDirectories(run.workDir().resolve("seed-" + seed));
    RunSummary dev =
        DevProcess.run(
            dir.resolve("dev"),
            List.of(
                "dev",
                "--suite",
                "arith",
                "--seed",
                Long.toString(seed),
                "--target-pass",
                Double.toString(target),
                "--max-steps",
                Long.toString(maxSteps)));
    double clusterSeconds = AsyncSyncBench.secondsToTarget(dev, target);
    RunSummary.CurvePoint hit =
        dev.curve().stream().filter(p -> p.pass() >= target).findFirst().orElse(null);
    run.log()
        .printf(
            Locale.ROOT,
            "dev (seed %d): %d steps, pass@1 %.2f -> %.2f, %s%n",
            seed,
            dev.steps(),
            dev.initialPass(),
            dev.finalPass(),
            hit != null
                ? String.format(
                    Locale.ROOT,
                    "reached %.2f at step %d, %.1f s",
                    target,
                    hit.step(),
                    clusterSeconds)
                : "never reached " + target);
    PlainGrpoLoop.Result loop =
        PlainGrpoLoop.run(plan(seed, dir.resolve("loop"), Map.of()), target, maxSteps, run.log());
    PlainGrpoLoop.Point at = loop.atTarget();
    return new SeedResult(
        seed,
        clusterSeconds,
        hit != null ? hit.step() : dev.steps(),
        hit != null,
        at.seconds(),
        at.trainSeconds(),
        at.step(),
        loop.reached());
  }

  /**
   * The plan {@code verity dev --suite arith --seed SEED} runs with (no {@code --config}, so the
   * defaults), with {@code overrides} over it, on its own data directory. PyTorch's thread settings
   * are applied as the dev command applies them; a JVM whose engine is already loaded keeps its
   * own.
   */
  public static RunPlan plan(long seed, Path data, Map<String, Object> overrides) {
    Map<String, Object> flags = new HashMap<>(overrides);
    flags.put("verity.suite", "arith");
    flags.put("verity.seed", seed);
    flags.put("verity.data-dir", data.toString());
    Config config = VerityConfig.load(flags, null);
    ModelProperties.apply(config);
    return RunPlan.from(config);
  }

  /** The figures of the per-seed results: the speed ratio (with its target) and steps to target. */
  static List<Figure> figures(double target, long maxSteps, List<SeedResult> results) {
    int n = results.size();
    double[] cluster = new double[n];
    double[] loop = new double[n];
    double[] loopTrain = new double[n];
    double[] ratio = new double[n];
    double[] clusterSteps = new double[n];
    double[] loopSteps = new double[n];
    for (int i = 0; i < n; i++) {
      SeedResult r = results.get(i);
      cluster[i] = r.clusterSeconds();
      loop[i] = r.loopSeconds();
      loopTrain[i] = r.loopTrainSeconds();
      ratio[i] = r.ratio();
      clusterSteps[i] = r.clusterSteps();
      loopSteps[i] = r.loopSteps();
    }
    String goal = String.format(Locale.ROOT, "greedy pass@1 %.2f on arith", target);
    String speed =
        "learning speed: time to "
            + goal
            + " through the cluster (verity dev, default settings) against a plain in-process GRPO"
            + " loop (same policy, objective, hyperparameters, batch and seed); ratio = the loop's"
            + " time ÷ the cluster's (above 1: the cluster learns faster)";
    String steps =
        "learning speed: learner steps to "
            + goal
            + ", cluster ÷ plain loop (above 1: the cluster needs more samples; its staleness"
            + " bound is 2)";
    return List.of(
        Figure.atLeast(
            speed,
            "cluster: " + Interval.of(cluster).describe("%.1f") + " s" + unreached(results, true),
            "plain loop: "
                + Interval.of(loop).describe("%.1f")
                + " s; without its evaluations "
                + Interval.of(loopTrain).describe("%.1f")
                + " s"
                + unreached(results, false),
            Interval.of(ratio),
            MINIMUM),
        Figure.of(
            steps,
            "cluster: " + Interval.of(clusterSteps).describe("%.0f") + " steps",
            "plain loop: "
                + Interval.of(loopSteps).describe("%.0f")
                + " steps (cap "
                + maxSteps
                + ")",
            Interval.ofRatios(clusterSteps, loopSteps)));
  }

  /** "; seeds 2, 4 never reached it (cap)" for the side's seeds that did not reach the target. */
  private static String unreached(List<SeedResult> results, boolean cluster) {
    List<String> seeds =
        results.stream()
            .filter(r -> !(cluster ? r.clusterReached() : r.loopReached()))
            .map(r -> Long.toString(r.seed()))
            .toList();
    return seeds.isEmpty()
        ? ""
        : "; seed"
            + (seeds.size() == 1 ? " " : "s ")
            + String.join(", ", seeds)
            + " never reached it: time to the step cap, no ratio";
  }
}
