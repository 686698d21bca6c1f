package verity.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import verity.bench.report.Figure;
import verity.bench.report.Interval;
import verity.deploy.run.RunSummary;

/**
 * The control AReaL reports (Fu et al. 2025, their staleness ablation), reproduced on {@code
 * arith2}'s test split (unordered pairs held out, see {@code docs/suites.md}): at a large staleness
 * bound η, with long-tailed episode times, uncorrected PPO against decoupled PPO (proximal policy
 * before the batch's first update, AReaL's token filter on the behaviour weight) against η = 0, the
 * same steps, seeds and settings otherwise. AReaL found that uncorrected PPO degrades as η grows
 * while decoupled PPO holds; the rows say whether that ordering reproduces here, with intervals,
 * whichever way it goes: no target. All arms start from the suite's preset warm start (300
 * supervised steps on training pairs) and make four minibatch updates per batch, so that the
 * decoupled objective's clip against the proximal policy can bind.
 */
public final class ArealControlBench implements Benchmark {

  /** What every arm shares: arith2, 8 workers with lognormal episode times, 4 updates a batch. */
  static final String COMMON =
      """
      verity.rollout.workers = 8
      verity.rollout.added-episode-time { distribution = lognormal, median = 150ms, sigma = 1.0, max = 2s }
      verity.rollout.evaluate-every-steps = 50
      verity.learner.batch-groups = 32
      verity.learner.minibatches = 4
      """;

  @Override
  public String name() {
    return "areal-control";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    int steps = run.quick() ? 60 : 200;
    List<Integer> etas = run.quick() ? List.of(16) : List.of(16, 32);
    int n = run.seeds();
    double[] fresh = new double[n];
    for (int i = 0; i < n; i++) {
      fresh[i] = arm(run, "eta0-ppo", run.seedList().get(i), settings(0, "ppo"), steps);
    }
    List<Figure> figures = new ArrayList<>();
    for (int eta : etas) {
      double[] ppo = new double[n];
      double[] decoupled = new double[n];
      double[] ppoStaleness = new double[n];
      double[] decoupledStaleness = new double[n];
      for (int i = 0; i < n; i++) {
        long seed = run.seedList().get(i);
        String p = "eta" + eta + "-ppo";
        ppo[i] = arm(run, p, seed, settings(eta, "ppo"), steps);
        ppoStaleness[i] = AsyncSyncBench.staleness(run, AsyncSyncBench.label(p, seed));
        String d = "eta" + eta + "-decoupled";
        decoupled[i] = arm(run, d, seed, settings(eta, "decoupled-ppo"), steps);
        decoupledStaleness[i] = AsyncSyncBench.staleness(run, AsyncSyncBench.label(d, seed));
      }
      String at =
          String.format(
              Locale.ROOT,
              "control (AReaL) on arith2's test split, final pass@1 after %d steps at η = %d"
                  + " (lognormal episode time, median 150 ms, σ 1; 8 workers)",
              steps,
              eta);
      String ppoText = arm("PPO", ppo, ppoStaleness);
      String decoupledText = arm("decoupled PPO (filter)", decoupled, decoupledStaleness);
      String freshText = "η = 0 PPO " + Interval.of(fresh).describe("%.3f");
      figures.add(
          Figure.of(
              at + ": uncorrected PPO ÷ decoupled PPO",
              ppoText,
              decoupledText,
              Interval.ofRatios(ppo, decoupled)));
      figures.add(
          Figure.of(
              at + ": uncorrected PPO ÷ η = 0", ppoText, freshText, Interval.ofRatios(ppo, fresh)));
      figures.add(
          Figure.of(
              at + ": decoupled PPO ÷ η = 0",
              decoupledText,
              freshText,
              Interval.ofRatios(decoupled, fresh)));
    }
    return figures;
  }

  /** An arm's final pass@1 over seeds and the mean staleness it saw. */
  private static String arm(String objective, double[] pass, double[] staleness) {
    return String.format(
        Locale.ROOT,
        "%s %s; mean staleness %.1f",
        objective,
        Interval.of(pass).describe("%.3f"),
        Interval.of(staleness).mean());
  }

  /** One arm's settings: its staleness bound and window, and its objective. */
  static String settings(int eta, String objective) {
    // A window of η + 1 batches lets generation run η versions ahead; η = 0 runs lock-step.
    int window = 32 * Math.max(1, eta);
    return COMMON
        + "verity.learner.max-staleness = "
        + eta
        + "\nverity.rollout.max-outstanding-tasks = "
        + window
        + "\nverity.learner.objective = "
        + objective
        + "\n"
        + (objective.equals("decoupled-ppo") ? "verity.learner.behaviour-weight = filter\n" : "");
  }

  /** Runs one arm for one seed; its final pass@1 on arith2's test split. */
  private static double arm(BenchRun run, String config, long seed, String settings, int steps)
      throws IOException, InterruptedException {
    RunSummary s =
        DevProcess.runDev(
            run,
            AsyncSyncBench.label(config, seed),
            settings,
            List.of(
                "--suite",
                "arith2",
                "--seed",
                Long.toString(seed),
                "--max-steps",
                Integer.toString(steps)));
    if (!"test".equals(s.finalSplit())) {
      throw new IllegalStateException(
          "arith2's final pass@1 is on " + s.finalSplit() + ", not test");
    }
    return s.finalPass();
  }
}
