package verity.deploy;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import verity.actors.cluster.VerityNode;
import verity.policy.NativeWork;

/** {@code verity dev}: the whole cluster in one JVM, every message serialized. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = "Run a single-node dev cluster: task source, rollout, reward, learner.")
final class DevCommand implements Callable<Integer> {

  /** Each flag and the configuration key it sets. */
  private static final Map<String, String> FLAG_KEYS =
      Map.of(
          "--suite", "verity.suite",
          "--seed", "verity.seed",
          "--max-steps", "verity.learner.max-steps",
          "--max-minutes", "verity.dev.max-minutes",
          "--target-pass", "verity.dev.target-pass",
          "--data-dir", "verity.data-dir",
          "--summary", "verity.dev.summary",
          "--workers", "verity.rollout.workers",
          "--warm-start-steps", "verity.learner.warm-start.steps");

  @Spec CommandSpec spec;

  @Option(
      names = "--suite",
      description = "Suite: arith (default), arith2, math, gridworld, dsl-code or python-code.")
  String suite;

  @Option(names = "--seed", description = "Seed for every generator and sampler (default 1).")
  Long seed;

  @Option(names = "--max-steps", description = "Stop after this many learner steps.")
  Long maxSteps;

  @Option(names = "--max-minutes", description = "Stop after this many minutes.")
  Double maxMinutes;

  @Option(names = "--target-pass", description = "Stop when greedy pass@1 reaches this.")
  Double targetPass;

  @Option(
      names = "--data-dir",
      description =
          "Directory for the log, journal and checkpoints (default ./data); a run started on a"
              + " directory that holds one resumes it.")
  Path dataDir;

  @Option(names = "--config", description = "A HOCON file of settings (see README).")
  Path config;

  @Option(names = "--summary", description = "Write a JSON summary of the run here.")
  Path summary;

  @Option(names = "--workers", description = "Rollout workers (default 1).")
  Integer workers;

  @Option(names = "--warm-start-steps", description = "Supervised steps before RL.")
  Integer warmStartSteps;

  @Option(
      names = "--fresh",
      description =
          "Start over: delete the data dir's journal and checkpoints instead of resuming from them.")
  boolean fresh;

  /** What a data directory holds of a run: deleted by --fresh. */
  static final java.util.List<String> RUN_STATE =
      java.util.List.of("journal.mv.db", "journal.trace.db", "checkpoints", "run.properties");

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, Object> flags = new LinkedHashMap<>();
    put(flags, "--suite", suite);
    put(flags, "--seed", seed);
    put(flags, "--max-steps", maxSteps);
    put(flags, "--max-minutes", maxMinutes);
    put(flags, "--target-pass", targetPass);
    put(flags, "--data-dir", dataDir == null ? null : dataDir.toString());
    put(flags, "--summary", summary == null ? null : summary.toString());
    put(flags, "--workers", workers);
    put(flags, "--warm-start-steps", warmStartSteps);
    // One node that is its own seed: any free port will do.
    flags.put("akka.remote.artery.canonical.port", 0);
    flags.put("akka.cluster.seed-nodes", java.util.List.of());

    RunPlan plan;
    try {
      Config cfg = VerityConfig.load(flags, config);
      plan = RunPlan.from(cfg);
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("verity dev: " + withFlag(e.getMessage()));
      return Main.USAGE_ERROR;
    }

    Path data = plan.dev().dataDir();
    Files.createDirectories(data);
    if (fresh) {
      for (String name : RUN_STATE) {
        deleteRecursively(data.resolve(name));
      }
    }
    String previous = RunMarker.suite(data);
    if (previous != null && !previous.equals(plan.suite().name())) {
      err.println(
          "verity dev: --data-dir "
              + data
              + " holds a run of suite "
              + previous
              + "; add --fresh to start over there, or use another --data-dir");
      return Main.USAGE_ERROR;
    }
    RunMarker.write(data, plan.suite().name());
    System.setProperty("verity.log.file", data.resolve("verity.log").toString());
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(plan.torchThreads()));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");

    out.printf(
        Locale.ROOT,
        "verity dev: suite %s, seed %d, %d rollout worker(s), %d verifier slot(s); log in %s%n",
        plan.suite().name(),
        plan.dev().seed(),
        plan.rollout().workers(),
        plan.reward().parallelism(),
        data.resolve("verity.log"));
    CompletableFuture<RunSummary> result = new CompletableFuture<>();
    ActorSystem<DevCluster.Command> system =
        VerityNode.start("verity", DevCluster.create(plan, out::println, result), plan.config());
    VerityNode.joinSelf(system);
    try {
      RunSummary s = result.join();
      out.printf(
          Locale.ROOT,
          "done (%s): %d steps, %s, greedy pass@1 %.3f -> %.3f on %s, %.1f s, %,.0f tokens/s%n",
          s.stopReason(),
          s.steps(),
          "v" + s.policyVersion(),
          s.initialPass(),
          s.finalPass(),
          s.evaluationSet(),
          s.wallSeconds(),
          s.tokensPerSecond());
      if (plan.dev().summary().isPresent()) {
        s.writeTo(plan.dev().summary().get());
        out.println("summary written to " + plan.dev().summary().get());
      }
      return 0;
    } catch (CompletionException e) {
      err.println("verity dev: " + e.getCause().getMessage());
      return 1;
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      // A learner step or a batch may still be inside PyTorch; exiting under it crashes the JVM.
      try {
        if (!NativeWork.awaitAll(java.time.Duration.ofSeconds(60))) {
          err.println("verity dev: model work still running 60 s after the cluster stopped");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void put(Map<String, Object> flags, String flag, Object value) {
    if (value != null) {
      flags.put(FLAG_KEYS.get(flag), value);
    }
  }

  /** Names the flag behind a configuration key in an error message. */
  private static String withFlag(String message) {
    for (Map.Entry<String, String> e : FLAG_KEYS.entrySet()) {
      if (message.contains(e.getValue())) {
        return message + " (flag " + e.getKey() + ")";
      }
    }
    return message;
  }
}
