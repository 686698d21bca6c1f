package verity.deploy.cli;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
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
import verity.console.ConsoleSettings;
import verity.deploy.Main;
import verity.deploy.cluster.AeronDirectories;
import verity.deploy.cluster.ClusterFormation;
import verity.deploy.cluster.ClusterNode;
import verity.deploy.cluster.DeploymentProfile;
import verity.deploy.cluster.NodeAddress;
import verity.deploy.cluster.Transport;
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

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Set<Role> nodeRoles = EnumSet.noneOf(Role.class);
    Transport requested;
    List<NodeAddress> seeds;
    DeploymentProfile profile;
    try {
      profile = DeploymentProfile.fromEnvironment(System.getenv());
      for (String r : roles) {
        nodeRoles.add(Role.parse(r));
      }
      requested = Transport.parse(transport != null ? transport : "tcp");
      if (port != null) {
        NodeAddress.checkPort(port, "--port");
      }
      seeds = NodeAddress.parseList(seedNodes);
      seeds.forEach(NodeAddress::resolve);
    } catch (IllegalArgumentException | ConfigException e) {
      err.println("verity node: " + e.getMessage());
      return Main.USAGE_ERROR;
    }
    // Bootstrap: the address, port and transport come from the profile unless given as flags.
    boolean bootstrapped = bootstrap || profile.bootstraps();
    if (bootstrapped && !seeds.isEmpty()) {
      err.println(
          "verity node: --seed-nodes and cluster bootstrap ("
              + (bootstrap ? "--bootstrap" : DeploymentProfile.VARIABLE + "=" + profile.name)
              + ") exclude each other");
      return Main.USAGE_ERROR;
    }

    Map<String, Object> flags = new LinkedHashMap<>();
    putIfSet(flags, "verity.suite", suite);
    putIfSet(flags, "verity.seed", seed);
    putIfSet(flags, "verity.data-dir", dataDir == null ? null : dataDir.toString());
    putIfSet(flags, "verity.rollout.workers", workers);
    if (bootstrapped) {
      putIfSet(
          flags, "akka.remote.artery.transport", transport == null ? null : requested.configName);
      putIfSet(flags, "akka.remote.artery.canonical.hostname", hostname);
      putIfSet(flags, "akka.remote.artery.canonical.port", port);
    } else {
      flags.put("akka.remote.artery.transport", requested.configName);
      flags.put("akka.remote.artery.canonical.hostname", hostname != null ? hostname : LOOPBACK);
      flags.put("akka.remote.artery.canonical.port", port != null ? port : DEFAULT_PORT);
    }
    flags.put("akka.cluster.roles", nodeRoles.stream().map(Role::configName).toList());

    RunPlan plan;
    Duration joinTimeout;
    NodeAddress self;
    Transport chosen;
    try {
      com.typesafe.config.Config loaded = VerityConfig.load(flags, config, profile);
      self =
          new NodeAddress(
              loaded.getString("akka.remote.artery.canonical.hostname"),
              loaded.getInt("akka.remote.artery.canonical.port"));
      chosen = Transport.parse(loaded.getString("akka.remote.artery.transport"));
      NodeAddress.checkPort(self.port(), "--port");
      self.resolve();
      Map<String, Object> node = new LinkedHashMap<>();
      String nodeName =
          name != null ? name : nodeRoles.iterator().next().configName() + "-" + self.port();
      node.put("verity.node-name", nodeName);
      if (!bootstrapped) {
        List<String> seedAddresses = new ArrayList<>();
        for (NodeAddress s : seeds.isEmpty() ? List.of(self) : seeds) {
          seedAddresses.add(s.akkaAddress(ClusterNode.SYSTEM));
        }
        node.put("akka.cluster.seed-nodes", seedAddresses);
      }
      if (chosen == Transport.AERON_UDP) {
        node.put(
            "akka.remote.artery.advanced.aeron.aeron-dir",
            AeronDirectories.forNode(self.host(), self.port()).toString());
      }
      plan = RunPlan.from(ConfigFactory.parseMap(node, "command-line flags").withFallback(loaded));
      joinTimeout =
          verity.actors.config.ConfigChecks.positiveDuration(
              plan.config(), "verity.node.join-timeout");
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("verity node: " + e.getMessage());
      return Main.USAGE_ERROR;
    }
    String nodeName = plan.config().getString("verity.node-name");
    Path aeronDir =
        chosen == Transport.AERON_UDP
            ? Path.of(plan.config().getString("akka.remote.artery.advanced.aeron.aeron-dir"))
            : null;
    if (!self.isFree(chosen)) {
      err.printf(
          Locale.ROOT,
          "verity node: port %d on %s is already in use (%s); choose another --port%n",
          self.port(),
          self.host(),
          chosen == Transport.TCP ? "TCP" : "UDP");
      return Main.USAGE_ERROR;
    }
    if (aeronDir != null) {
      // Left behind by a node killed on this port earlier; the port is free, so no driver uses it.
      AeronDirectories.delete(aeronDir);
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

    // A console node serves the live console too (on Kubernetes: the console Deployment).
    Optional<ConsoleSettings> console;
    try {
      console =
          nodeRoles.contains(Role.CONSOLE)
              ? Optional.of(
                  ConsoleSettings.from(
                      plan.config(), Optional.ofNullable(System.getenv(ConsoleSettings.TOKEN_ENV))))
              : Optional.empty();
    } catch (IllegalArgumentException e) {
      err.println("verity node: " + e.getMessage());
      return Main.USAGE_ERROR;
    }

    ActorSystem<Void> system;
    try {
      system =
          VerityNode.start(
              ClusterNode.SYSTEM, ClusterNode.create(plan, nodeName, nodeRoles), akkaConfig);
      if (bootstrapped) {
        try {
          ClusterFormation.bootstrap(system);
        } catch (RuntimeException e) {
          system.terminate();
          throw e;
        }
      }
    } catch (RuntimeException e) {
      err.println("verity node: cannot start on " + self + " (" + chosen + "): " + rootMessage(e));
      return 1;
    }
    if (!RunOptions.startConsole(system, console, "verity node", out, err)) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      return Main.USAGE_ERROR;
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
        bootstrapped
            ? "cluster bootstrap (" + ClusterFormation.describe(plan.config()) + ")"
            : seeds.isEmpty() ? "itself (a new cluster)" : seeds,
        data.resolve("nodes").resolve(nodeName + ".log"));
    if (bootstrapped) {
      // Seed nodes give up by themselves (shutdown-after-unsuccessful-join-seed-nodes); bootstrap
      // keeps probing, so a node that has not joined within the join timeout stops here.
      system
          .scheduler()
          .scheduleOnce(
              joinTimeout,
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

    system.getWhenTerminated().toCompletableFuture().join();
    awaitModelWork(Duration.ofSeconds(60));
    Optional<CoordinatedShutdown.Reason> reason =
        CoordinatedShutdown.get(system.classicSystem()).getShutdownReason();
    if (!up.get()) {
      err.printf(
          Locale.ROOT,
          bootstrapped
              ? "verity node: could not join the cluster through %s within %s; are enough nodes"
                  + " listed and reachable?%n"
              : "verity node: could not join the cluster through %s within %s; is a node running"
                  + " there, on the same --transport?%n",
          bootstrapped
              ? "cluster bootstrap (" + ClusterFormation.describe(plan.config()) + ")"
              : seeds.isEmpty() ? self : seeds,
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
