package verity.deploy.cli;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import verity.actors.cluster.VerityNode;
import verity.console.ConsoleSettings;
import verity.deploy.audit.LedgerAudit;
import verity.deploy.cluster.AeronDirectories;
import verity.deploy.cluster.ClusterNode;
import verity.deploy.run.DevCluster;
import verity.deploy.run.LogFile;
import verity.deploy.run.ModelProperties;
import verity.deploy.run.RunPlan;
import verity.deploy.run.RunSummary;
import verity.deploy.run.SystemStop;
import verity.policy.NativeWork;

/** {@code verity dev}: the whole cluster in one JVM, every message serialized. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = "Run a single-node dev cluster: task source, rollout, reward, learner.")
public final class DevCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin RunOptions run;

  /** What the run starts with, read and checked from configuration. */
  record DevLaunch(RunPlan plan, Optional<ConsoleSettings> console) {
    Path logFile() {
      return plan.dev().dataDir().resolve("verity.log");
    }
  }

  /** The dev cluster, started, and the summary its run will complete. */
  record DevRun(ActorSystem<Void> system, CompletableFuture<RunSummary> result, DevLaunch launch) {}

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      DevLaunch launch = configure();
      prepare(launch, err);
      return await(start(launch, out, err), out, err);
    } catch (CommandExit e) {
      return e.report(err);
    }
  }

  /** Reads the run's configuration: the flags over the {@code --config} file. */
  DevLaunch configure() throws CommandExit {
    Map<String, Object> flags = run.flags();
    // One node that is its own seed: any free port will do.
    flags.put("akka.remote.artery.canonical.port", 0);
    flags.put("akka.cluster.seed-nodes", List.of());
    flags.put("verity.node-name", DevCluster.NODE);
    try {
      RunPlan plan = RunPlan.from(VerityConfig.load(flags, run.config));
      return new DevLaunch(plan, run.console(plan.config()));
    } catch (ConfigException | IllegalArgumentException e) {
      throw CommandExit.usage("verity dev: " + RunOptions.withFlag(e.getMessage()));
    }
  }

  /**
   * Makes the data directory ready for the run, applies the process-wide settings and, on transport
   * aeron-udp, clears Aeron's directories of stopped nodes'.
   */
  void prepare(DevLaunch launch, PrintWriter err) throws IOException, CommandExit {
    RunPlan plan = launch.plan();
    if (!run.prepareDataDir(plan.dev().dataDir(), plan.suite().name(), "verity dev", err)) {
      throw CommandExit.usagePrinted();
    }
    LogFile.use(launch.logFile());
    ModelProperties.apply(plan.config());
    AeronDirectories.sweepIfAeron(plan.config());
  }

  /** Starts the single-node cluster, joined to itself, and its console. */
  static DevRun start(DevLaunch launch, PrintWriter out, PrintWriter err) throws CommandExit {
    RunPlan plan = launch.plan();
    out.printf(
        Locale.ROOT,
        "verity dev: suite %s, seed %d, %d rollout worker(s), %d verifier slot(s); log in %s%n",
        plan.suite().name(),
        plan.dev().seed(),
        plan.rollout().workers(),
        plan.reward().parallelism(),
        launch.logFile());
    out.println(RunOptions.splitsLine(plan.suite()));
    CompletableFuture<RunSummary> result = new CompletableFuture<>();
    ActorSystem<Void> system =
        VerityNode.start(
            ClusterNode.SYSTEM, DevCluster.create(plan, out::println, result), plan.config());
    VerityNode.joinSelf(system);
    if (!RunOptions.startConsole(system, launch.console(), "verity dev", out, err)) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      throw CommandExit.usagePrinted();
    }
    return new DevRun(system, result, launch);
  }

  /**
   * Waits for the run to end (or fail), stops the cluster, audits the journal as the run left it
   * and writes the summary; returns the exit code: 0 after a run, 1 when it failed. The audit waits
   * for the cluster to stop: a run stopped by its target or its time limit stops while the learner
   * still trains, and a journal read under it would miss the steps it settled meanwhile.
   */
  static int await(DevRun dev, PrintWriter out, PrintWriter err)
      throws IOException, InterruptedException {
    RunSummary s;
    try {
      s = dev.result().join();
    } catch (CompletionException e) {
      err.println("verity dev: " + (e.getCause() != null ? e.getCause() : e).getMessage());
      return 1;
    } finally {
      stop(dev.system(), err);
    }
    try {
      LedgerAudit.Result audit =
          LedgerAudit.runStandalone(dev.launch().plan().config(), Duration.ofMinutes(2));
      RunOptions.finish(s, audit, dev.launch().plan(), out);
      return 0;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      err.println("verity dev: the journal could not be audited: " + cause.getMessage());
      return 1;
    }
  }

  private static void stop(ActorSystem<Void> system, PrintWriter err) throws InterruptedException {
    SystemStop.terminate(system, Duration.ofSeconds(60), "verity dev", err);
    // A learner step or a batch may still be inside PyTorch; exiting under it crashes the JVM.
    if (!NativeWork.awaitAll(Duration.ofSeconds(60))) {
      err.println("verity dev: model work still running 60 s after the cluster stopped");
    }
  }
}
