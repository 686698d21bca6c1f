package verity.deploy.cli;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import verity.actors.cluster.VerityNode;
import verity.console.ConsoleSettings;
import verity.deploy.Main;
import verity.deploy.audit.LedgerAudit;
import verity.deploy.cluster.ClusterNode;
import verity.deploy.run.DevCluster;
import verity.deploy.run.RunPlan;
import verity.deploy.run.RunSummary;
import verity.policy.NativeWork;

/** {@code verity dev}: the whole cluster in one JVM, every message serialized. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = "Run a single-node dev cluster: task source, rollout, reward, learner.")
public final class DevCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin RunOptions run;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, Object> flags = run.flags();
    // One node that is its own seed: any free port will do.
    flags.put("akka.remote.artery.canonical.port", 0);
    flags.put("akka.cluster.seed-nodes", java.util.List.of());

    flags.put("verity.node-name", DevCluster.NODE);
    RunPlan plan;
    Optional<ConsoleSettings> console;
    try {
      Config cfg = VerityConfig.load(flags, run.config);
      plan = RunPlan.from(cfg);
      console = run.console(plan.config());
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("verity dev: " + RunOptions.withFlag(e.getMessage()));
      return Main.USAGE_ERROR;
    }

    Path data = plan.dev().dataDir();
    if (!run.prepareDataDir(data, plan.suite().name(), "verity dev", err)) {
      return Main.USAGE_ERROR;
    }
    System.setProperty("verity.log.file", data.resolve("verity.log").toString());
    RunOptions.applyModelProperties(plan.config());

    out.printf(
        Locale.ROOT,
        "verity dev: suite %s, seed %d, %d rollout worker(s), %d verifier slot(s); log in %s%n",
        plan.suite().name(),
        plan.dev().seed(),
        plan.rollout().workers(),
        plan.reward().parallelism(),
        data.resolve("verity.log"));
    CompletableFuture<RunSummary> result = new CompletableFuture<>();
    ActorSystem<Void> system =
        VerityNode.start(
            ClusterNode.SYSTEM, DevCluster.create(plan, out::println, result), plan.config());
    VerityNode.joinSelf(system);
    if (!RunOptions.startConsole(system, console, "verity dev", out, err)) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      return Main.USAGE_ERROR;
    }
    try {
      RunSummary s = result.join();
      LedgerAudit.Result audit =
          LedgerAudit.run(system).toCompletableFuture().get(120, TimeUnit.SECONDS);
      RunOptions.finish(s, audit, plan.dev(), out);
      return 0;
    } catch (CompletionException | ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      err.println("verity dev: " + cause.getMessage());
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
}
