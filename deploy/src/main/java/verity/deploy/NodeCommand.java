package verity.deploy;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import verity.policy.NativeWork;

/**
 * {@code verity node}: one node of a multi-process cluster, with the given roles, joining through
 * the given seed nodes. It runs until it leaves the cluster: on SIGTERM or Ctrl-C (a graceful
 * leave), when the process that started it ends ({@code --parent-pid}), or when the cluster downs
 * it; exit code 0 after a leave it was asked for, 1 when it was downed or could not join, 2 for a
 * bad start.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Run one node of a multi-process cluster.")
final class NodeCommand implements Callable<Integer> {
  /** Every node of a Verity cluster runs an actor system of this name. */
  static final String SYSTEM = "verity";

  @Spec CommandSpec spec;

  @Option(
      names = "--roles",
      required = true,
      split = ",",
      description = "Roles of this node, comma-separated: rollout, reward, learner, console.")
  List<String> roles;

  @Option(names = "--port", description = "Port of this node (default 25520).")
  int port = 25520;

  @Option(names = "--hostname", description = "Address this node binds and is reached at.")
  String hostname = "127.0.0.1";

  @Option(
      names = "--seed-nodes",
      description = "HOST:PORT,... of nodes to join through (default: this node, a new cluster).")
  String seedNodes = "";

  @Option(names = "--transport", description = "tcp (default) or aeron-udp.")
  String transport = "tcp";

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

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Set<Role> nodeRoles = EnumSet.noneOf(Role.class);
    Transport chosen;
    List<NodeAddress> seeds;
    NodeAddress self = new NodeAddress(hostname, port);
    try {
      for (String r : roles) {
        nodeRoles.add(Role.parse(r));
      }
      chosen = Transport.parse(transport);
      NodeAddress.checkPort(port, "--port");
      self.resolve();
      seeds = NodeAddress.parseList(seedNodes);
      seeds.forEach(NodeAddress::resolve);
    } catch (IllegalArgumentException e) {
      err.println("verity node: " + e.getMessage());
      return Main.USAGE_ERROR;
    }
    String nodeName = name != null ? name : nodeRoles.iterator().next().configName() + "-" + port;

    Map<String, Object> flags = new LinkedHashMap<>();
    putIfSet(flags, "verity.suite", suite);
    putIfSet(flags, "verity.seed", seed);
    putIfSet(flags, "verity.data-dir", dataDir == null ? null : dataDir.toString());
    putIfSet(flags, "verity.rollout.workers", workers);
    flags.put("akka.remote.artery.transport", chosen.configName);
    flags.put("akka.remote.artery.canonical.hostname", hostname);
    flags.put("verity.node-name", nodeName);
    flags.put("akka.remote.artery.canonical.port", port);
    flags.put("akka.cluster.roles", nodeRoles.stream().map(Role::configName).toList());
    List<String> seedAddresses = new ArrayList<>();
    for (NodeAddress s : seeds.isEmpty() ? List.of(self) : seeds) {
      seedAddresses.add(s.akkaAddress(SYSTEM));
    }
    flags.put("akka.cluster.seed-nodes", seedAddresses);
    Path aeronDir = null;
    if (chosen == Transport.AERON_UDP) {
      aeronDir = aeronDirectory(hostname, port);
      flags.put("akka.remote.artery.advanced.aeron.aeron-dir", aeronDir.toString());
    }

    RunPlan plan;
    Duration joinTimeout;
    try {
      plan = RunPlan.from(VerityConfig.load(flags, config));
      joinTimeout =
          verity.actors.config.ConfigChecks.positiveDuration(
              plan.config(), "verity.node.join-timeout");
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("verity node: " + e.getMessage());
      return Main.USAGE_ERROR;
    }
    if (!self.isFree(chosen)) {
      err.printf(
          Locale.ROOT,
          "verity node: port %d on %s is already in use (%s); choose another --port%n",
          port,
          hostname,
          chosen == Transport.TCP ? "TCP" : "UDP");
      return Main.USAGE_ERROR;
    }
    if (aeronDir != null) {
      // Left behind by a node killed on this port earlier; the port is free, so no driver uses it.
      RunOptions.deleteRecursively(aeronDir);
    }

    Path data = plan.dev().dataDir();
    Files.createDirectories(data.resolve("nodes"));
    System.setProperty(
        "verity.log.file", data.resolve("nodes").resolve(nodeName + ".log").toString());
    RunOptions.applyModelProperties(plan.config());
    chosen.applyProcessSettings();
    com.typesafe.config.Config akkaConfig =
        com.typesafe.config.ConfigFactory.parseMap(
                Map.of(
                    "akka.cluster.shutdown-after-unsuccessful-join-seed-nodes",
                    joinTimeout.toMillis() + "ms"))
            .withFallback(plan.config());

    ActorSystem<Void> system;
    try {
      system = VerityNode.start(SYSTEM, ClusterNode.create(plan, nodeName, nodeRoles), akkaConfig);
    } catch (RuntimeException e) {
      err.println("verity node: cannot start on " + self + " (" + chosen + "): " + rootMessage(e));
      return 1;
    }
    AtomicBoolean up = new AtomicBoolean();
    akka.cluster.Cluster.get(system.classicSystem())
        .registerOnMemberUp(
            () -> {
              up.set(true);
              out.printf(
                  Locale.ROOT,
                  "node %s up: roles %s at %s (%s)%n",
                  nodeName,
                  nodeRoles.stream().map(Role::configName).collect(Collectors.joining(",")),
                  self,
                  chosen);
            });
    out.printf(
        Locale.ROOT,
        "verity node %s: joining through %s; log in %s%n",
        nodeName,
        seeds.isEmpty() ? "itself (a new cluster)" : seeds,
        data.resolve("nodes").resolve(nodeName + ".log"));
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

    system.getWhenTerminated().toCompletableFuture().join();
    awaitModelWork(Duration.ofSeconds(60));
    Optional<CoordinatedShutdown.Reason> reason =
        CoordinatedShutdown.get(system.classicSystem()).getShutdownReason();
    if (!up.get()) {
      err.printf(
          Locale.ROOT,
          "verity node: could not join the cluster through %s within %s; is a node running"
              + " there, on the same --transport?%n",
          seeds.isEmpty() ? self : seeds,
          joinTimeout);
      return 1;
    }
    if (reason.isPresent() && reason.get() == CoordinatedShutdown.clusterDowningReason()) {
      err.println("verity node " + nodeName + ": downed by the cluster; exiting");
      return 1;
    }
    out.println("node " + nodeName + " left the cluster");
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

  /**
   * Aeron's directory for a node: on /dev/shm (memory, where Aeron's files belong) when it has room
   * for a node's buffers, else under the temporary directory: a container's /dev/shm is often only
   * 64 MiB, and a node of a small cluster maps about 8 MiB there, more under load.
   */
  static Path aeronDirectory(String host, int port) {
    Path shm = Path.of("/dev/shm");
    Path base = Path.of(System.getProperty("java.io.tmpdir"));
    try {
      if (Files.isDirectory(shm) && Files.getFileStore(shm).getUsableSpace() >= SHM_NEEDED) {
        base = shm;
      }
    } catch (IOException e) {
      // /dev/shm cannot be inspected: the temporary directory will do.
    }
    return base.resolve("verity-aeron-" + host + "-" + port);
  }

  private static final long SHM_NEEDED = 512L << 20;

  /** Every place {@link #aeronDirectory} may have put a node's directory, for cleaning up. */
  static List<Path> aeronDirectoryCandidates(String host, int port) {
    String name = "verity-aeron-" + host + "-" + port;
    return List.of(
        Path.of("/dev/shm").resolve(name), Path.of(System.getProperty("java.io.tmpdir"), name));
  }

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
