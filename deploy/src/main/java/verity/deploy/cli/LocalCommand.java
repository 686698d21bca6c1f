package verity.deploy.cli;

import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Leave;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import verity.actors.cluster.NodeStatusReporter;
import verity.actors.cluster.Role;
import verity.actors.cluster.VerityNode;
import verity.actors.config.ConfigChecks;
import verity.console.ConsoleSettings;
import verity.deploy.Main;
import verity.deploy.audit.LedgerAudit;
import verity.deploy.cluster.AeronDirectories;
import verity.deploy.cluster.ClusterNode;
import verity.deploy.cluster.MembershipPrinter;
import verity.deploy.cluster.NodeAddress;
import verity.deploy.cluster.NodeProcesses;
import verity.deploy.cluster.Transport;
import verity.deploy.run.NodeRoles;
import verity.deploy.run.RunMonitor;
import verity.deploy.run.RunPlan;
import verity.deploy.run.RunSummary;
import verity.policy.NativeWork;
import verity.rollout.Evaluator;

/**
 * {@code verity local}: a whole cluster on this machine, one JVM per node. This process is a
 * cluster node itself (role {@code console}: the run's monitor and the held-out evaluator) and the
 * seed the others join through; it starts the learner, rollout and reward nodes as child processes
 * ({@link NodeProcesses}), stops the run like {@code verity dev}, then asks every node to leave,
 * audits the journal and writes the summary. Ctrl-C takes the whole cluster down the same way.
 */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = "Run a whole cluster on this machine, one JVM per node.")
public final class LocalCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin RunOptions run;

  @Option(names = "--rollout", description = "Rollout nodes (default 2).")
  int rolloutNodes = 2;

  @Option(names = "--reward", description = "Reward nodes (default 1).")
  int rewardNodes = 1;

  @Option(names = "--learner", description = "Learner nodes (default 1); more stand by.")
  int learnerNodes = 1;

  @Option(names = "--transport", description = "tcp (default) or aeron-udp.")
  String transport = "tcp";

  @Option(
      names = "--port",
      description =
          "Port of this process, the seed node (default: a free one); nodes take free ports.")
  Integer port;

  private static final String HOST = "127.0.0.1";

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Transport chosen;
    try {
      chosen = Transport.parse(transport);
      checkCount("--rollout", rolloutNodes, 1);
      checkCount("--reward", rewardNodes, 1);
      checkCount("--learner", learnerNodes, 1);
      if (port != null) {
        NodeAddress.checkPort(port, "--port");
      }
    } catch (IllegalArgumentException e) {
      err.println("verity local: " + e.getMessage());
      return Main.USAGE_ERROR;
    }
    int seedPort = port != null ? port : NodeAddress.freePort(HOST);
    NodeAddress seed = new NodeAddress(HOST, seedPort);

    Map<String, Object> runFlags = run.flags();
    Map<String, Object> flags = new java.util.LinkedHashMap<>(runFlags);
    flags.put("akka.remote.artery.transport", chosen.configName);
    flags.put("akka.remote.artery.canonical.hostname", HOST);
    flags.put("akka.remote.artery.canonical.port", seedPort);
    flags.put("akka.cluster.roles", List.of(Role.CONSOLE.configName()));
    flags.put("verity.node-name", "local");
    flags.put("akka.cluster.seed-nodes", List.of(seed.akkaAddress(ClusterNode.SYSTEM)));
    // Ctrl-C stops the run with a summary first (see the hook below), then this actor system.
    flags.put("akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
    if (chosen == Transport.AERON_UDP) {
      flags.put(
          "akka.remote.artery.advanced.aeron.aeron-dir",
          AeronDirectories.forNode(HOST, seedPort).toString());
    }
    RunPlan plan;
    Optional<ConsoleSettings> console;
    List<String> nodeJavaOptions;
    Duration stopTimeout;
    try {
      plan = RunPlan.from(VerityConfig.load(flags, run.config));
      console = run.console(plan.config());
      nodeJavaOptions = plan.config().getStringList("verity.local.node-java-options");
      stopTimeout = ConfigChecks.positiveDuration(plan.config(), "verity.local.stop-timeout");
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("verity local: " + RunOptions.withFlag(e.getMessage()));
      return Main.USAGE_ERROR;
    }
    if (!seed.isFree(chosen)) {
      err.printf(
          Locale.ROOT,
          "verity local: port %d on %s is already in use; choose another --port%n",
          seedPort,
          HOST);
      return Main.USAGE_ERROR;
    }
    Path data = plan.dev().dataDir().toAbsolutePath();
    if (!run.prepareDataDir(data, plan.suite().name(), "verity local", err)) {
      return Main.USAGE_ERROR;
    }
    Path nodesDir = data.resolve("nodes");
    Files.createDirectories(nodesDir);
    Path runConfig = writeRunConfig(nodesDir, runFlags, data);
    System.setProperty("verity.log.file", nodesDir.resolve("local.log").toString());
    RunOptions.applyModelProperties(plan.config());
    chosen.applyProcessSettings();

    out.printf(
        Locale.ROOT,
        "verity local: suite %s, seed %d, %d learner + %d rollout (%d worker(s) each) + %d reward"
            + " node(s) over %s; seed node %s; logs in %s%n",
        plan.suite().name(),
        plan.dev().seed(),
        learnerNodes,
        rolloutNodes,
        plan.rollout().workers(),
        rewardNodes,
        chosen,
        seed,
        nodesDir);

    List<NodeProcesses.Spec> specs = nodeSpecs();
    Map<Integer, String> names = new java.util.HashMap<>();
    names.put(seedPort, "local");
    specs.forEach(n -> names.put(n.port(), n.name()));
    CompletableFuture<RunSummary> result = new CompletableFuture<>();
    CompletableFuture<ActorRef<RunMonitor.Command>> monitor = new CompletableFuture<>();
    ActorSystem<Void> system =
        VerityNode.start(
            ClusterNode.SYSTEM,
            Behaviors.setup(
                ctx -> {
                  ActorRef<Evaluator.Command> evaluator = NodeRoles.spawnEvaluator(ctx, plan);
                  monitor.complete(
                      ctx.spawn(
                          RunMonitor.create(plan.dev(), evaluator, out::println, result),
                          "monitor"));
                  ctx.spawn(
                      MembershipPrinter.create(out::println, MembershipPrinter.byPort(names)),
                      "membership");
                  ctx.spawn(NodeStatusReporter.create(), "node-status");
                  return Behaviors.empty();
                }),
            plan.config());
    if (!RunOptions.startConsole(system, console, "verity local", out, err)) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      return Main.USAGE_ERROR;
    }
    NodeProcesses processes =
        new NodeProcesses(data, runConfig, seed, chosen, nodeJavaOptions, out);
    CountDownLatch finished = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean interrupted =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread onCtrlC =
        new Thread(
            () -> {
              // Ctrl-C: the run stops as if it had ended, with a summary; this process's actor
              // system is stopped by the main thread, not by Akka's own hook.
              out.println("verity local: interrupted; stopping the run");
              interrupted.set(true);
              monitor.thenAccept(m -> m.tell(new RunMonitor.Interrupt()));
              try {
                if (!finished.await(stopTimeout.toSeconds() + 90, TimeUnit.SECONDS)) {
                  processes.stopAll(Duration.ZERO, null);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "verity-local-interrupt");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    try {
      for (NodeProcesses.Spec s : specs) {
        processes.start(s, exited -> failWithoutLearners(processes, result));
      }
      RunSummary s = result.join();
      out.println("stopping the cluster: every node leaves");
      if (interrupted.get()) {
        // This process is exiting: its own node may not stay in the cluster long enough to ask
        // the others to leave, so each is told by signal (and on Ctrl-C got SIGINT already).
        processes.stopAll(stopTimeout, null);
      } else {
        Cluster cluster = Cluster.get(system);
        // Nodes joined by hand (verity node --seed-nodes this one) leave too; this process's own
        // nodes, and itself, are in `names` and are asked below.
        for (akka.cluster.Member m : cluster.state().getMembers()) {
          if (!names.containsKey(m.address().getPort().orElse(-1))) {
            cluster.manager().tell(Leave.create(m.address()));
          }
        }
        processes.stopAll(
            stopTimeout,
            node ->
                cluster
                    .manager()
                    .tell(
                        Leave.create(
                            AddressFromURIString.parse(
                                new NodeAddress(HOST, node.port())
                                    .akkaAddress(ClusterNode.SYSTEM)))));
      }
      Map<String, Integer> exits = new java.util.TreeMap<>();
      for (NodeProcesses.Node n : processes.nodes()) {
        exits.put(n.spec().name(), n.process().isAlive() ? null : n.process().exitValue());
      }
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      // The nodes are gone, so the journal is free to read: what became of every lease.
      LedgerAudit.Result audit = LedgerAudit.runStandalone(plan.config(), Duration.ofMinutes(2));
      RunOptions.finish(s.withNodeExits(exits), audit, plan.dev(), out);
      return 0;
    } catch (CompletionException | ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      err.println("verity local: " + cause.getMessage());
      processes.stopAll(stopTimeout, null);
      return 1;
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      NativeWork.awaitAll(Duration.ofSeconds(60));
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is waiting for this thread, which is done.
      }
    }
  }

  /** Training cannot go on once every learner node has exited: the run fails, naming them. */
  private static void failWithoutLearners(
      NodeProcesses processes, CompletableFuture<RunSummary> result) {
    List<NodeProcesses.Node> learners =
        processes.nodes().stream()
            .filter(n -> n.spec().roles().contains(Role.LEARNER.configName()))
            .toList();
    if (learners.stream().noneMatch(n -> n.process().isAlive())) {
      result.completeExceptionally(
          new IllegalStateException(
              "every learner node exited ("
                  + String.join(", ", learners.stream().map(n -> n.spec().name()).toList())
                  + "); see their logs in the data dir's nodes/"));
    }
  }

  /** learner-1.., reward-1.., rollout-1.., each on a free port. */
  private List<NodeProcesses.Spec> nodeSpecs() {
    List<NodeProcesses.Spec> specs = new ArrayList<>();
    for (int i = 1; i <= learnerNodes; i++) {
      specs.add(
          new NodeProcesses.Spec("learner-" + i, List.of("learner"), NodeAddress.freePort(HOST)));
    }
    for (int i = 1; i <= rewardNodes; i++) {
      specs.add(
          new NodeProcesses.Spec("reward-" + i, List.of("reward"), NodeAddress.freePort(HOST)));
    }
    for (int i = 1; i <= rolloutNodes; i++) {
      specs.add(
          new NodeProcesses.Spec("rollout-" + i, List.of("rollout"), NodeAddress.freePort(HOST)));
    }
    return specs;
  }

  /**
   * The run's settings as the nodes read them: the flags over the {@code --config} file, with the
   * data directory made absolute.
   */
  private Path writeRunConfig(Path nodesDir, Map<String, Object> runFlags, Path data)
      throws IOException {
    Map<String, Object> flags = new java.util.LinkedHashMap<>(runFlags);
    flags.put("verity.data-dir", data.toString());
    Config user =
        run.config == null ? ConfigFactory.empty() : ConfigFactory.parseFile(run.config.toFile());
    Config merged = ConfigFactory.parseMap(flags, "verity local flags").withFallback(user);
    Path file = nodesDir.resolve("run.conf");
    Files.writeString(
        file,
        "# Written by verity local for its nodes: the run's flags over its --config file.\n"
            + merged.root().render(ConfigRenderOptions.defaults().setOriginComments(false)));
    return file;
  }

  private static void checkCount(String flag, int value, int min) {
    if (value < min || value > 64) {
      throw new IllegalArgumentException(flag + " " + value + " is not in " + min + "..64");
    }
  }
}
