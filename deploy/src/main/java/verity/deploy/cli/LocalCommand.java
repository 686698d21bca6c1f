package verity.deploy.cli;

import akka.actor.Address;
import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Leave;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
import verity.deploy.audit.LedgerAudit;
import verity.deploy.cluster.AeronDirectories;
import verity.deploy.cluster.ClusterNode;
import verity.deploy.cluster.HandJoinedMembers;
import verity.deploy.cluster.MembershipPrinter;
import verity.deploy.cluster.NodeAddress;
import verity.deploy.cluster.NodeJavaOptions;
import verity.deploy.cluster.NodeProcesses;
import verity.deploy.cluster.Transport;
import verity.deploy.run.LogFile;
import verity.deploy.run.ModelProperties;
import verity.deploy.run.NodeRoles;
import verity.deploy.run.RunConfigFile;
import verity.deploy.run.RunMonitor;
import verity.deploy.run.RunPlan;
import verity.deploy.run.RunSummary;
import verity.deploy.run.SystemStop;
import verity.policy.NativeWork;
import verity.rollout.Evaluator;

/**
 * {@code verity local}: a whole cluster on this machine, one JVM per node. This process is a
 * cluster node itself (role {@code console}: the run's monitor and the evaluator) and the seed the
 * others join through; it starts the learner, rollout and reward nodes as child processes ({@link
 * NodeProcesses}), stops the run like {@code verity dev}, then asks every node to leave, audits the
 * journal and writes the summary. Ctrl-C takes the whole cluster down the same way.
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

  static final String HOST = "127.0.0.1";

  /** How long this process's own actor system may take to stop once the nodes are gone. */
  static final Duration SYSTEM_STOP_TIMEOUT = Duration.ofSeconds(60);

  /**
   * What runs beside the cluster while the run lasts ({@code verity soak} injects faults): told
   * once the nodes are started, and again when the run has ended, before the nodes are stopped.
   */
  interface DuringRun {
    void started(LocalCluster cluster) throws IOException;

    void ended() throws InterruptedException;
  }

  /** Nothing runs beside a plain {@code verity local}. */
  DuringRun duringRun =
      new DuringRun() {
        @Override
        public void started(LocalCluster cluster) {}

        @Override
        public void ended() {}
      };

  /** The flags, parsed and checked: the transport, and the address of this process's node. */
  record LocalFlags(Transport transport, NodeAddress seed) {}

  /** What the cluster starts with, read and checked from configuration. */
  record LocalLaunch(
      LocalFlags flags,
      Map<String, Object> runFlags,
      RunPlan plan,
      Optional<ConsoleSettings> console,
      NodeJavaOptions nodeJavaOptions,
      Duration stopTimeout) {

    Path dataDir() {
      return plan.dev().dataDir().toAbsolutePath();
    }

    Path nodesDir() {
      return dataDir().resolve("nodes");
    }
  }

  /** The cluster, started: this process's node, its child nodes, and the run's end to come. */
  record LocalCluster(
      LocalLaunch launch,
      ActorSystem<Void> system,
      NodeProcesses processes,
      Map<Integer, String> names,
      CompletableFuture<RunSummary> result,
      LocalInterrupt interrupt) {}

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      LocalLaunch launch = configure(parse());
      Path runConfig = prepare(launch, err);
      LocalCluster cluster = start(launch, runConfig, out, err);
      duringRun.started(cluster);
      return await(cluster, duringRun, out, err);
    } catch (CommandExit e) {
      return e.report(err);
    }
  }

  /** Reads the flags and picks the seed node's port; a bad flag is a usage error. */
  LocalFlags parse() throws CommandExit {
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
      throw CommandExit.usage("verity local: " + e.getMessage());
    }
    return new LocalFlags(
        chosen, new NodeAddress(HOST, port != null ? port : NodeAddress.freePort(HOST)));
  }

  /**
   * Reads the run's configuration, with this process as the console node and the seed. A bad
   * setting, or a seed port that is taken, is a usage error.
   */
  LocalLaunch configure(LocalFlags parsed) throws CommandExit {
    NodeAddress seed = parsed.seed();
    Map<String, Object> runFlags = run.flags();
    Map<String, Object> flags = new LinkedHashMap<>(runFlags);
    flags.put("akka.remote.artery.transport", parsed.transport().configName);
    flags.put("akka.remote.artery.canonical.hostname", HOST);
    flags.put("akka.remote.artery.canonical.port", seed.port());
    flags.put("akka.cluster.roles", List.of(Role.CONSOLE.configName()));
    flags.put("verity.node-name", "local");
    flags.put("akka.cluster.seed-nodes", List.of(seed.akkaAddress(ClusterNode.SYSTEM)));
    // Ctrl-C stops the run with a summary first (see LocalInterrupt), then this actor system.
    flags.put("akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
    if (parsed.transport() == Transport.AERON_UDP) {
      flags.put(
          "akka.remote.artery.advanced.aeron.aeron-dir",
          AeronDirectories.forNode(HOST, seed.port()).toString());
    }
    LocalLaunch launch;
    try {
      RunPlan plan = RunPlan.from(VerityConfig.load(flags, run.config));
      launch =
          new LocalLaunch(
              parsed,
              runFlags,
              plan,
              run.console(plan.config()),
              NodeJavaOptions.from(plan.config()),
              ConfigChecks.positiveDuration(plan.config(), "verity.local.stop-timeout"));
    } catch (ConfigException | IllegalArgumentException e) {
      throw CommandExit.usage("verity local: " + RunOptions.withFlag(e.getMessage()));
    }
    if (!seed.isFree(parsed.transport())) {
      throw CommandExit.usage(
          String.format(
              Locale.ROOT,
              "verity local: port %d on %s is already in use; choose another --port",
              seed.port(),
              HOST));
    }
    return launch;
  }

  /**
   * Makes the data directory ready for the run (see {@link RunOptions#prepareDataDir}), writes the
   * nodes' settings there, applies the process-wide settings and clears Aeron's directories of
   * stopped nodes'; returns the nodes' settings file.
   */
  Path prepare(LocalLaunch launch, PrintWriter err) throws IOException, CommandExit {
    RunPlan plan = launch.plan();
    if (!run.prepareDataDir(launch.dataDir(), plan.suite().name(), "verity local", err)) {
      throw CommandExit.usagePrinted();
    }
    Files.createDirectories(launch.nodesDir());
    Path runConfig =
        RunConfigFile.write(launch.nodesDir(), launch.runFlags(), launch.dataDir(), run.config);
    LogFile.use(launch.nodesDir().resolve("local.log"));
    ModelProperties.apply(plan.config());
    launch.flags().transport().applyProcessSettings();
    if (launch.flags().transport() == Transport.AERON_UDP) {
      // Left behind by a node killed on this port earlier; the port is free, so no driver uses it.
      AeronDirectories.candidates(HOST, launch.flags().seed().port())
          .forEach(AeronDirectories::delete);
    }
    AeronDirectories.sweepIfAeron(plan.config());
    return runConfig;
  }

  /**
   * Starts this process's node (the run's monitor, the evaluator, the console) and the child nodes,
   * and installs the Ctrl-C hook.
   */
  LocalCluster start(LocalLaunch launch, Path runConfig, PrintWriter out, PrintWriter err)
      throws IOException, InterruptedException, CommandExit {
    RunPlan plan = launch.plan();
    NodeAddress seed = launch.flags().seed();
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
        launch.flags().transport(),
        seed,
        launch.nodesDir());
    out.println(RunOptions.splitsLine(plan.suite()));

    List<NodeProcesses.Spec> specs = nodeSpecs();
    Map<Integer, String> names = new java.util.concurrent.ConcurrentHashMap<>();
    names.put(seed.port(), "local");
    specs.forEach(n -> names.put(n.port(), n.name()));
    CompletableFuture<RunSummary> result = new CompletableFuture<>();
    CompletableFuture<ActorRef<RunMonitor.Command>> monitor = new CompletableFuture<>();
    ActorSystem<Void> system =
        VerityNode.start(
            ClusterNode.SYSTEM, guardian(plan, names, result, monitor, out), plan.config());
    if (!RunOptions.startConsole(system, launch.console(), "verity local", out, err)) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      throw CommandExit.usagePrinted();
    }
    NodeProcesses processes =
        new NodeProcesses(
            launch.dataDir(),
            runConfig,
            seed,
            launch.flags().transport(),
            launch.nodeJavaOptions(),
            out);
    LocalCluster cluster =
        new LocalCluster(
            launch,
            system,
            processes,
            names,
            result,
            LocalInterrupt.install(system, monitor, processes, launch.stopTimeout(), out));
    try {
      for (NodeProcesses.Spec s : specs) {
        processes.start(s, exited -> failWithoutLearners(processes, result));
      }
    } catch (IOException e) {
      close(cluster, err);
      throw e;
    }
    return cluster;
  }

  /** This process's node: the run's monitor, the evaluator, the membership printer. */
  private static Behavior<Void> guardian(
      RunPlan plan,
      Map<Integer, String> names,
      CompletableFuture<RunSummary> result,
      CompletableFuture<ActorRef<RunMonitor.Command>> monitor,
      PrintWriter out) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<Evaluator.Command> evaluator = NodeRoles.spawnEvaluator(ctx, plan);
          monitor.complete(
              ctx.spawn(RunMonitor.create(plan.dev(), evaluator, out::println, result), "monitor"));
          ctx.spawn(
              MembershipPrinter.create(out::println, MembershipPrinter.byPort(names)),
              "membership");
          ctx.spawn(NodeStatusReporter.create(), "node-status");
          return Behaviors.empty();
        });
  }

  /**
   * Waits for the run to end (or fail), stops every node, audits the journal and writes the
   * summary; returns the exit code: 0 after a run, 1 when it failed.
   */
  static int await(LocalCluster cluster, DuringRun during, PrintWriter out, PrintWriter err)
      throws IOException, InterruptedException {
    LocalLaunch launch = cluster.launch();
    try {
      RunSummary s;
      try {
        s = cluster.result().join();
      } finally {
        during.ended();
      }
      out.println("stopping the cluster: every node leaves");
      stopNodes(cluster, out);
      Map<String, Integer> exits = new TreeMap<>();
      for (NodeProcesses.Node n : cluster.processes().nodes()) {
        exits.put(n.spec().name(), n.process().isAlive() ? null : n.process().exitValue());
      }
      SystemStop.terminate(cluster.system(), SYSTEM_STOP_TIMEOUT, "verity local", err);
      // The nodes are gone, so the journal is free to read: what became of every lease.
      LedgerAudit.Result audit =
          LedgerAudit.runStandalone(launch.plan().config(), Duration.ofMinutes(2));
      RunOptions.finish(s.withNodeExits(exits), audit, launch.plan(), out);
      return 0;
    } catch (CompletionException | ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      err.println("verity local: " + cause.getMessage());
      cluster.processes().stopAll(launch.stopTimeout(), null);
      return 1;
    } finally {
      close(cluster, err);
    }
  }

  /**
   * Every node leaves, while this process's own node is still a member to ask them. The nodes
   * joined by hand ({@code verity node --seed-nodes} this one) are asked to leave, however the run
   * ended. This process's own nodes are asked one by one; after Ctrl-C each is told by signal
   * instead (and on Ctrl-C in a terminal got SIGINT already).
   */
  private static void stopNodes(LocalCluster c, PrintWriter out) throws InterruptedException {
    Duration stopTimeout = c.launch().stopTimeout();
    long deadline = System.nanoTime() + stopTimeout.toNanos();
    Set<Address> handJoined = HandJoinedMembers.askToLeave(c.system(), c.names().keySet());
    CompletableFuture<Void> handJoinedGone =
        HandJoinedMembers.removed(c.system(), handJoined).toCompletableFuture();
    if (c.interrupt().happened()) {
      c.processes().stopAll(stopTimeout, null);
    } else {
      Cluster cluster = Cluster.get(c.system());
      c.processes()
          .stopAll(
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
    try {
      handJoinedGone.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      out.printf(
          Locale.ROOT,
          "nodes joined by hand did not leave within %s: %s%n",
          stopTimeout,
          HandJoinedMembers.stillMembers(c.system(), handJoined));
    }
  }

  /** Stops this process's node, waits for its model work, and lets the Ctrl-C hook end. */
  private static void close(LocalCluster cluster, PrintWriter err) throws InterruptedException {
    if (!cluster.system().whenTerminated().isCompleted()) {
      SystemStop.terminate(cluster.system(), SYSTEM_STOP_TIMEOUT, "verity local", err);
    }
    NativeWork.awaitAll(Duration.ofSeconds(60));
    cluster.interrupt().release();
  }

  /** Training cannot go on once every learner node has exited: the run fails, naming them. */
  static void failWithoutLearners(NodeProcesses processes, CompletableFuture<RunSummary> result) {
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

  private static void checkCount(String flag, int value, int min) {
    if (value < min || value > 64) {
      throw new IllegalArgumentException(flag + " " + value + " is not in " + min + "..64");
    }
  }
}
