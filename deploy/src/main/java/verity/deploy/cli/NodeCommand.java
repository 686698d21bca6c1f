package verity.deploy.cli;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import verity.actors.cluster.Role;
import verity.actors.cluster.VerityNode;
import verity.actors.config.ConfigChecks;
import verity.console.ConsoleSettings;
import verity.deploy.cluster.AeronDirectories;
import verity.deploy.cluster.ClusterFormation;
import verity.deploy.cluster.ClusterNode;
import verity.deploy.cluster.DeploymentProfile;
import verity.deploy.cluster.NodeAddress;
import verity.deploy.cluster.Transport;
import verity.deploy.run.LogFile;
import verity.deploy.run.ModelProperties;
import verity.deploy.run.RunPlan;
import verity.policy.NativeWork;

/**
 * {@code verity node}: one node of a multi-process cluster, with the given roles, joining through
 * the given seed nodes, or through Akka Cluster Bootstrap ({@code --bootstrap}, or the k8s profile:
 * {@code VERITY_PROFILE=k8s}, where address, port and transport come from the profile). It runs
 * until it leaves the cluster: on SIGTERM or Ctrl-C (a graceful leave), when the process that
 * started it ends ({@code --parent-pid}), or when the cluster downs it; exit code 0 after a leave
 * it was asked for, 1 when it was downed or could not join, 2 for a bad start.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Run one node of a multi-process cluster.")
public final class NodeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--roles",
      required = true,
      split = ",",
      description = "Roles of this node, comma-separated: rollout, reward, learner, console.")
  List<String> roles;

  @Option(names = "--port", description = "Port of this node (default 25520).")
  Integer port;

  @Option(
      names = "--hostname",
      description = "Address this node binds and is reached at (default 127.0.0.1).")
  String hostname;

  @Option(
      names = "--seed-nodes",
      description = "HOST:PORT,... of nodes to join through (default: this node, a new cluster).")
  String seedNodes = "";

  @Option(names = "--transport", description = "tcp (default) or aeron-udp.")
  String transport;

  @Option(
      names = "--bootstrap",
      description =
          "Form or join the cluster through Akka Cluster Bootstrap (service discovery) instead"
              + " of seed nodes; on by default with VERITY_PROFILE=k8s.")
  boolean bootstrap;

  @Option(names = "--name", description = "Name of this node in logs and reports.")
  String name;

  @Option(names = "--data-dir", description = "Directory for logs, journal, checkpoints.")
  Path dataDir;

  @Option(names = "--config", description = "A HOCON file of settings (see README).")
  Path config;

  @Option(names = "--suite", description = "Suite of the run (as for dev).")
  String suite;

  @Option(names = "--seed", description = "Seed of the run (as for dev).")
  Long seed;

  @Option(
      names = "--model",
      description =
          "A Hugging Face model directory every replica on this node starts from (as for dev);"
              + " every node of the run needs the same one.")
  Path model;

  @Option(
      names = "--no-chat-template",
      description = "Feed prompts as plain text even when the --model directory has a template.")
  boolean noChatTemplate;

  @Option(names = "--workers", description = "Rollout workers on this node.")
  Integer workers;

  @Option(
      names = "--parent-pid",
      hidden = true,
      description = "Leave the cluster when this process ends (set by verity local).")
  Long parentPid;

  /** Why this node's actor system is stopping, when this command asked for it. */
  private enum ParentGone implements CoordinatedShutdown.Reason {
    INSTANCE
  }

  /** Why a bootstrapped node's actor system is stopping: it did not join within the timeout. */
  private enum NotJoined implements CoordinatedShutdown.Reason {
    INSTANCE
  }

  /** The flags, parsed and checked, before any configuration is read. */
  record NodeFlags(
      DeploymentProfile profile,
      Set<Role> roles,
      Optional<Transport> transport,
      List<NodeAddress> seeds,
      boolean bootstrapped) {}

  /** What the node starts with: its plan and its place, read and checked from configuration. */
  record NodeLaunch(
      NodeFlags flags,
      RunPlan plan,
      String name,
      NodeAddress self,
      Transport transport,
      Duration joinTimeout,
      Optional<ConsoleSettings> console) {

    Path logFile() {
      return plan.dev().dataDir().resolve("nodes").resolve(name + ".log");
    }

    /** Aeron's directory for this node, with transport aeron-udp. */
    Optional<Path> aeronDirectory() {
      return transport == Transport.AERON_UDP
          ? Optional.of(Path.of(plan.config().getString(AERON_DIR)))
          : Optional.empty();
    }

    /** The actor system's settings: a node that cannot join gives up after the join timeout. */
    Config akkaConfig() {
      return ConfigFactory.parseMap(
              Map.of(
                  "akka.cluster.shutdown-after-unsuccessful-join-seed-nodes",
                  joinTimeout.toMillis() + "ms"))
          .withFallback(plan.config());
    }

    /** Where the node joins through, for messages; {@code itself} when it is its own seed. */
    String through(String itself) {
      if (flags.bootstrapped()) {
        return "cluster bootstrap (" + ClusterFormation.describe(plan.config()) + ")";
      }
      return flags.seeds().isEmpty() ? itself : flags.seeds().toString();
    }
  }

  /** The node's actor system, started; {@code up} once it is a member of the cluster. */
  record StartedNode(NodeLaunch launch, ActorSystem<Void> system, AtomicBoolean up) {}

  private static final String AERON_DIR = "akka.remote.artery.advanced.aeron.aeron-dir";

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      NodeLaunch launch = configure(parse());
      prepare(launch);
      return await(start(launch, out, err), out, err);
    } catch (CommandExit e) {
      return e.report(err);
    }
  }

  /** Reads the flags; a bad one, or seed nodes together with bootstrap, is a usage error. */
  NodeFlags parse() throws CommandExit {
    DeploymentProfile profile;
    Set<Role> nodeRoles = EnumSet.noneOf(Role.class);
    Optional<Transport> requested;
    List<NodeAddress> seeds;
    try {
      profile = DeploymentProfile.fromEnvironment(System.getenv());
      for (String r : roles) {
        nodeRoles.add(Role.parse(r));
      }
      requested = Optional.ofNullable(transport).map(Transport::parse);
      if (port != null) {
        NodeAddress.checkPort(port, "--port");
      }
      seeds = NodeAddress.parseList(seedNodes);
      seeds.forEach(NodeAddress::resolve);
    } catch (IllegalArgumentException | ConfigException e) {
      throw CommandExit.usage("verity node: " + e.getMessage());
    }
    // Bootstrap: the address, port and transport come from the profile unless given as flags.
    boolean bootstrapped = bootstrap || profile.bootstraps();
    if (bootstrapped && !seeds.isEmpty()) {
      throw CommandExit.usage(
          "verity node: --seed-nodes and cluster bootstrap ("
              + (bootstrap ? "--bootstrap" : DeploymentProfile.VARIABLE + "=" + profile.name)
              + ") exclude each other");
    }
    return new NodeFlags(
        profile, Collections.unmodifiableSet(nodeRoles), requested, seeds, bootstrapped);
  }

  /**
   * Reads the node's configuration: the flags over the {@code --config} file and the profile. A bad
   * setting, or a port that is taken, is a usage error.
   */
  NodeLaunch configure(NodeFlags parsed) throws CommandExit {
    Map<String, Object> flags = new LinkedHashMap<>();
    putIfSet(flags, "verity.suite", suite);
    putIfSet(flags, "verity.seed", seed);
    if (model != null) {
      flags.put("verity.policy.model", model.toAbsolutePath().toString());
      flags.put("verity.policy.kind", "transformer");
    }
    if (noChatTemplate) {
      flags.put("verity.policy.chat-template", false);
    }
    putIfSet(flags, "verity.data-dir", dataDir == null ? null : dataDir.toString());
    putIfSet(flags, "verity.rollout.workers", workers);
    if (parsed.bootstrapped()) {
      putIfSet(
          flags,
          "akka.remote.artery.transport",
          parsed.transport().map(t -> t.configName).orElse(null));
      putIfSet(flags, "akka.remote.artery.canonical.hostname", hostname);
      putIfSet(flags, "akka.remote.artery.canonical.port", port);
    } else {
      flags.put(
          "akka.remote.artery.transport", parsed.transport().orElse(Transport.TCP).configName);
      flags.put("akka.remote.artery.canonical.hostname", hostname != null ? hostname : LOOPBACK);
      flags.put("akka.remote.artery.canonical.port", port != null ? port : DEFAULT_PORT);
    }
    flags.put("akka.cluster.roles", parsed.roles().stream().map(Role::configName).toList());

    NodeLaunch launch;
    try {
      Config loaded = VerityConfig.load(flags, config, parsed.profile());
      NodeAddress self =
          new NodeAddress(
              loaded.getString("akka.remote.artery.canonical.hostname"),
              loaded.getInt("akka.remote.artery.canonical.port"));
      Transport chosen = Transport.parse(loaded.getString("akka.remote.artery.transport"));
      Optional<String> refused =
          chosen.refusal(
              self.host(),
              loaded.getString("akka.remote.artery.bind.hostname"),
              loaded.getBoolean(Transport.TRUSTED_NETWORK));
      if (refused.isPresent()) {
        throw new IllegalArgumentException(refused.get());
      }
      NodeAddress.checkPort(self.port(), "--port");
      self.resolve();
      Map<String, Object> node = new LinkedHashMap<>();
      String nodeName =
          name != null ? name : parsed.roles().iterator().next().configName() + "-" + self.port();
      node.put("verity.node-name", nodeName);
      if (!parsed.bootstrapped()) {
        List<String> seedAddresses = new ArrayList<>();
        for (NodeAddress s : parsed.seeds().isEmpty() ? List.of(self) : parsed.seeds()) {
          seedAddresses.add(s.akkaAddress(ClusterNode.SYSTEM));
        }
        node.put("akka.cluster.seed-nodes", seedAddresses);
      }
      if (chosen == Transport.AERON_UDP) {
        node.put(AERON_DIR, AeronDirectories.forNode(self.host(), self.port()).toString());
      }
      RunPlan plan =
          RunPlan.from(ConfigFactory.parseMap(node, "command-line flags").withFallback(loaded));
      Duration joinTimeout =
          ConfigChecks.positiveDuration(plan.config(), "verity.node.join-timeout");
      // A console node serves the live console too (on Kubernetes: the console Deployment).
      Optional<ConsoleSettings> console =
          parsed.roles().contains(Role.CONSOLE)
              ? Optional.of(
                  ConsoleSettings.from(
                      plan.config(), Optional.ofNullable(System.getenv(ConsoleSettings.TOKEN_ENV))))
              : Optional.empty();
      launch = new NodeLaunch(parsed, plan, nodeName, self, chosen, joinTimeout, console);
    } catch (ConfigException | IllegalArgumentException e) {
      throw CommandExit.usage("verity node: " + e.getMessage());
    }
    if (!launch.self().isFree(launch.transport())) {
      throw CommandExit.usage(
          String.format(
              Locale.ROOT,
              "verity node: port %d on %s is already in use (%s); choose another --port",
              launch.self().port(),
              launch.self().host(),
              launch.transport() == Transport.TCP ? "TCP" : "UDP"));
    }
    return launch;
  }

  /**
   * Makes this machine ready for the node: its data and log directory, the process-wide settings
   * its models and transport read, and Aeron's directories cleared of stopped nodes' (the log file
   * is set first: the sweep logs how many it removed).
   */
  static void prepare(NodeLaunch launch) throws IOException {
    Files.createDirectories(launch.logFile().getParent());
    LogFile.use(launch.logFile());
    ModelProperties.apply(launch.plan().config());
    launch.transport().applyProcessSettings();
    // Left behind by a node killed on this port earlier; the port is free, so no driver uses it.
    launch.aeronDirectory().ifPresent(AeronDirectories::delete);
    AeronDirectories.sweepIfAeron(launch.plan().config());
  }

  /**
   * Starts the node's actor system (through the bootstrap, when so joined) and its console, and
   * arranges its leaving: when the parent process ends, on SIGTERM, or when a bootstrapped node has
   * not joined within the join timeout.
   */
  StartedNode start(NodeLaunch launch, PrintWriter out, PrintWriter err) throws CommandExit {
    ActorSystem<Void> system;
    try {
      system =
          VerityNode.start(
              ClusterNode.SYSTEM,
              ClusterNode.create(launch.plan(), launch.name(), launch.flags().roles()),
              launch.akkaConfig());
      if (launch.flags().bootstrapped()) {
        try {
          ClusterFormation.bootstrap(system);
        } catch (RuntimeException e) {
          system.terminate();
          throw e;
        }
      }
    } catch (RuntimeException e) {
      throw CommandExit.failed(
          "verity node: cannot start on "
              + launch.self()
              + " ("
              + launch.transport()
              + "): "
              + rootMessage(e));
    }
    if (!RunOptions.startConsole(system, launch.console(), "verity node", out, err)) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      throw CommandExit.usagePrinted();
    }
    AtomicBoolean up = new AtomicBoolean();
    akka.cluster.Cluster.get(system.classicSystem())
        .registerOnMemberUp(
            () -> {
              up.set(true);
              out.printf(
                  Locale.ROOT,
                  "node %s up: roles %s at %s (%s)%n",
                  launch.name(),
                  launch.flags().roles().stream()
                      .map(Role::configName)
                      .collect(Collectors.joining(",")),
                  launch.self(),
                  launch.transport());
            });
    out.printf(
        Locale.ROOT,
        "verity node %s: joining through %s; log in %s%n",
        launch.name(),
        launch.through("itself (a new cluster)"),
        launch.logFile());
    if (launch.flags().bootstrapped()) {
      // Seed nodes give up by themselves (shutdown-after-unsuccessful-join-seed-nodes); bootstrap
      // keeps probing, so a node that has not joined within the join timeout stops here.
      system
          .scheduler()
          .scheduleOnce(
              launch.joinTimeout(),
              () -> {
                if (!up.get()) {
                  CoordinatedShutdown.get(system.classicSystem()).runAll(NotJoined.INSTANCE);
                }
              },
              system.executionContext());
    }
    if (parentPid != null) {
      ProcessHandle.of(parentPid)
          .ifPresentOrElse(p -> p.onExit().thenRun(() -> leave(system)), () -> leave(system));
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // SIGTERM: Akka's own hook leaves the cluster; model work must end before exit.
                  system.getWhenTerminated().toCompletableFuture().join();
                  awaitModelWork(Duration.ofSeconds(30));
                },
                "verity-node-exit"));
    return new StartedNode(launch, system, up);
  }

  /**
   * Waits until the node has left the cluster and its model work has ended; returns the exit code:
   * 0 after a leave, 1 when it never joined or was downed.
   */
  static int await(StartedNode node, PrintWriter out, PrintWriter err) {
    NodeLaunch launch = node.launch();
    ActorSystem<Void> system = node.system();
    system.getWhenTerminated().toCompletableFuture().join();
    awaitModelWork(Duration.ofSeconds(60));
    Optional<CoordinatedShutdown.Reason> reason =
        CoordinatedShutdown.get(system.classicSystem()).getShutdownReason();
    if (!node.up().get()) {
      err.printf(
          Locale.ROOT,
          launch.flags().bootstrapped()
              ? "verity node: could not join the cluster through %s within %s; are enough nodes"
                  + " listed and reachable?%n"
              : "verity node: could not join the cluster through %s within %s; is a node running"
                  + " there, on the same --transport?%n",
          launch.through(launch.self().toString()),
          launch.joinTimeout());
      return 1;
    }
    if (reason.isPresent() && reason.get() == CoordinatedShutdown.clusterDowningReason()) {
      err.println("verity node " + launch.name() + ": downed by the cluster; exiting");
      return 1;
    }
    out.println("node " + launch.name() + " left the cluster");
    return 0;
  }

  private static void leave(ActorSystem<?> system) {
    CoordinatedShutdown.get(system.classicSystem()).runAll(ParentGone.INSTANCE);
  }

  private static void awaitModelWork(Duration limit) {
    try {
      NativeWork.awaitAll(limit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final String LOOPBACK = "127.0.0.1";
  private static final int DEFAULT_PORT = 25520;

  private static void putIfSet(Map<String, Object> flags, String key, Object value) {
    if (value != null) {
      flags.put(key, value);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
