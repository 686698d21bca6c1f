package verity.bench;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.bench.report.Figure;
import verity.bench.report.Format;
import verity.bench.rollout.PlainRolloutLoop;
import verity.bench.rollout.RolloutCluster;
import verity.bench.rollout.TokenMeter;
import verity.deploy.cli.VerityConfig;
import verity.deploy.run.ModelProperties;
import verity.deploy.run.RunPlan;
import verity.policy.Policy;

/**
 * Rollout overhead (issue 8): generated tokens/s through the cluster, with every message
 * serialized, ÷ tokens/s of a plain loop calling the same policy with the same batch and threads;
 * target ≥ 0.9.
 *
 * <p>The cluster side is one actor system configured as {@code verity dev} configures its node
 * ({@code serialize-messages = on}, Kryo): a real task source on the journal, a policy store
 * holding one fixed version, {@code verity.rollout.workers} real rollout workers on the compute
 * dispatcher, and a sink in the verifier's place that accepts every batch at once, counts its
 * tokens and settles its leases as consumed, so the lease window never blocks. Nothing trains, so
 * the work per token stays the same throughout. The baseline is as many plain threads as there are
 * workers, each with a replica holding the same weights, running the same {@link
 * verity.rollout.EpisodeRunner} on batches of the same size (tasks per request × group size) back
 * to back. The baseline runs before and after the cluster, and the ratio is taken against the mean
 * of the two, so that a machine that speeds up or slows down over the benchmark shows as a spread
 * between them, not as overhead. A plain loop that is not counted warms the process up first.
 */
public final class RolloutOverheadBench implements Benchmark {
  private static final long SEED = 1;

  /**
   * How long each phase runs, in seconds, and how many cluster runs there are (each followed by a
   * plain-loop run, and the first preceded by one).
   */
  private record Phases(
      double loopWarmup,
      double loopWindow,
      double clusterWarmup,
      double clusterWindow,
      int clusterRuns) {}

  @Override
  public String name() {
    return "rollout-overhead";
  }

  @Override
  public List<Figure> run(BenchRun run) throws Exception {
    List<Figure> figures = new ArrayList<>();
    figures.add(
        measure(
            run,
            "arith",
            0,
            2,
            run.quick() ? new Phases(2, 6, 3, 8, 1) : new Phases(3, 12, 5, 20, 2)));
    if (!run.quick()) {
      // The same suite with 4 times the tasks per batch: what the per-batch cost of leasing,
      // serializing and journaling comes to when a batch takes 4 times as long to generate.
      figures.add(measure(run, "arith", 64, 2, new Phases(3, 12, 5, 20, 1)));
      // One worker and one loop thread on 2 cores: the control plane (leasing, Kryo, journal) has
      // a core of its own, as it has beside the GPUs of a real rollout node.
      figures.add(measure(run, "arith", 0, 1, new Phases(3, 12, 5, 20, 1)));
      // Long episodes (up to 256 turns): few, long batches, so longer windows and one cluster run.
      figures.add(measure(run, "gridworld", 0, 2, new Phases(5, 30, 5, 40, 1)));
    }
    // A transformer writing 64-token completions (python-code's prompts, the policy's limit at 64).
    figures.add(
        measure(
            run,
            "python-code",
            0,
            2,
            Map.of("verity.policy.kind", "transformer", "verity.policy.max-completion-tokens", 64),
            "the dev transformer, 64-token completions",
            // Batches of 64 episodes of up to 64 tokens after a long prompt take seconds each.
            run.quick() ? new Phases(5, 30, 5, 30, 1) : new Phases(10, 60, 10, 60, 1)));
    return figures;
  }

  /**
   * @param tasksPerRequest tasks per batch; 0 keeps the suite's default
   * @param workers rollout workers, and threads of the plain loop
   */
  private Figure measure(
      BenchRun run, String suite, int tasksPerRequest, int workers, Phases phases) {
    return measure(run, suite, tasksPerRequest, workers, Map.of(), "", phases);
  }

  /**
   * @param extra settings over the dev defaults, described by {@code what} in the figure's name
   */
  private Figure measure(
      BenchRun run,
      String suite,
      int tasksPerRequest,
      int workers,
      Map<String, Object> extra,
      String what,
      Phases phases) {
    String name =
        "rollout overhead ("
            + suite
            + (what.isEmpty() ? "" : ", " + what)
            + (tasksPerRequest > 0 ? ", " + tasksPerRequest + " tasks a batch" : "")
            + (workers != 2 ? ", " + workers + " worker" + (workers == 1 ? "" : "s") : "")
            + "): tokens/s through the cluster ÷ plain loop";
    try {
      return measureOrThrow(run, suite, tasksPerRequest, workers, extra, name, phases);
    } catch (Exception e) {
      e.printStackTrace(run.log());
      return Figure.failed(name, String.valueOf(e.getMessage()));
    }
  }

  private Figure measureOrThrow(
      BenchRun run,
      String suite,
      int tasksPerRequest,
      int workerCount,
      Map<String, Object> extra,
      String name,
      Phases phases)
      throws Exception {
    Path data =
        Files.createDirectories(
            run.workDir()
                .resolve(
                    suite
                        + (extra.isEmpty() ? "" : "-" + extra.hashCode())
                        + (tasksPerRequest > 0 ? "-" + tasksPerRequest : "")
                        + "-w"
                        + workerCount));
    RunPlan plan = plan(suite, tasksPerRequest, workerCount, extra, data.resolve("loop"));
    int workers = plan.rollout().workers();
    int tasks = plan.rollout().tasksPerRequest();
    int group = plan.rollout().groupSize();
    FlatWeights weights;
    try (Policy p = plan.newReplica(SEED)) {
      weights = p.exportWeights(PolicyVersion.of(1));
    }
    run.log()
        .printf(
            Locale.ROOT,
            "%s: %d workers / threads, batch %d tasks × %d samples, %,d parameters%n",
            suite,
            workers,
            tasks,
            group,
            weights.values().length());

    List<TokenMeter.Rate> loops = new ArrayList<>();
    List<TokenMeter.Rate> clusters = new ArrayList<>();
    // Not counted: the first loop of a row runs colder (in a quick run of the arith row, 194,000
    // tokens/s against 240,000 for the loop after it). It does not explain the transformer row's
    // spread: there a plain loop ran 2.2 times faster after a cluster run than before it, warm-up
    // or not (docs/results.md).
    loop(run, plan, weights, phases, "warm-up");
    loops.add(loop(run, plan, weights, phases, "plain loop"));
    for (int i = 1; i <= phases.clusterRuns(); i++) {
      // A fresh journal for each cluster run: the ledger of the last one must not be recovered.
      RunPlan node = plan(suite, tasksPerRequest, workerCount, extra, data.resolve("cluster-" + i));
      TokenMeter.Rate cluster =
          RolloutCluster.run(
              node.config(),
              node.suite(),
              node.rollout(),
              node::newReplica,
              SEED,
              weights,
              node.learner().weightChunkValues(),
              node.policy().temperature(),
              SEED,
              phases.clusterWarmup(),
              phases.clusterWindow());
      print(run, "cluster", cluster);
      clusters.add(cluster);
      loops.add(loop(run, plan, weights, phases, "plain loop"));
    }

    double value = mean(clusters);
    double baseline = mean(loops);
    return Figure.atLeast(
        name,
        Format.count(value)
            + " tokens/s ("
            + workers
            + " workers, batch "
            + tasks
            + "×"
            + group
            + ", serialize-messages on"
            + (clusters.size() > 1 ? "; mean of " + list(clusters) : "")
            + "; model busy "
            + percent(clusters)
            + " of the time)",
        Format.count(baseline)
            + " tokens/s (plain loop, "
            + workers
            + " threads; mean of "
            + list(loops)
            + ", run before and after each cluster run)",
        value / baseline,
        0.9);
  }

  private static double mean(List<TokenMeter.Rate> rates) {
    return rates.stream().mapToDouble(TokenMeter.Rate::tokensPerSecond).average().orElseThrow();
  }

  private static String list(List<TokenMeter.Rate> rates) {
    return String.join(", ", rates.stream().map(r -> Format.count(r.tokensPerSecond())).toList());
  }

  private static String percent(List<TokenMeter.Rate> rates) {
    return String.format(
        Locale.ROOT,
        "%.0f%%",
        100 * rates.stream().mapToDouble(TokenMeter.Rate::busy).average().orElse(Double.NaN));
  }

  private static TokenMeter.Rate loop(
      BenchRun run, RunPlan plan, FlatWeights weights, Phases phases, String label)
      throws Exception {
    TokenMeter.Rate rate =
        PlainRolloutLoop.run(
            plan.suite(),
            plan::newReplica,
            SEED,
            weights,
            plan.rollout().workers(),
            plan.rollout().tasksPerRequest(),
            plan.rollout().groupSize(),
            plan.policy().temperature(),
            SEED,
            phases.loopWarmup(),
            phases.loopWarmup() + phases.loopWindow());
    print(run, label, rate);
    return rate;
  }

  private static void print(BenchRun run, String label, TokenMeter.Rate rate) {
    run.log()
        .printf(
            Locale.ROOT,
            "  %-12s %,10.0f tokens/s (%,d tokens in %d batches over %d streams; model busy %.0f%%, %.1f ms a batch)%n",
            label,
            rate.tokensPerSecond(),
            rate.tokens(),
            rate.batches(),
            rate.streams(),
            100 * rate.busy(),
            rate.batchMillis());
  }

  /**
   * The plan {@code verity dev --suite SUITE --workers N} (and the tasks per request, when given)
   * would run with (the suite's preset included), on its own free port and data directory.
   * PyTorch's thread settings are applied before the engine loads, as the dev command does; a JVM
   * whose engine is already loaded keeps its own, for both sides alike.
   */
  private static RunPlan plan(
      String suite, int tasksPerRequest, int workers, Map<String, Object> extra, Path data) {
    Map<String, Object> flags = new HashMap<>(extra);
    if (tasksPerRequest > 0) {
      flags.put("verity.rollout.tasks-per-request", tasksPerRequest);
      // Room for each worker's batch and the one it leases ahead, so the window never limits.
      flags.put("verity.rollout.max-outstanding-tasks", 4 * workers * tasksPerRequest);
    }
    flags.put("verity.suite", suite);
    flags.put("verity.seed", SEED);
    flags.put("verity.data-dir", data.toString());
    flags.put("verity.node-name", "bench");
    flags.put("verity.rollout.workers", workers);
    flags.put("akka.remote.artery.canonical.port", 0);
    flags.put("akka.cluster.seed-nodes", List.of());
    flags.put("akka.loglevel", "WARNING");
    Config config = VerityConfig.load(flags, null);
    ModelProperties.apply(config);
    return RunPlan.from(config);
  }
}
