package verity.deploy.cli;

import akka.actor.AddressFromURIString;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Leave;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import verity.actors.cluster.Role;
import verity.deploy.Main;
import verity.deploy.audit.LedgerAudit;
import verity.deploy.cluster.ClusterNode;
import verity.deploy.cluster.NodeAddress;
import verity.deploy.cluster.NodeProcesses;
import verity.deploy.run.RunSummary;
import verity.deploy.soak.ChaosMonkey;
import verity.deploy.soak.ChaosSchedule;

/**
 * {@code verity soak}: a chaos run anyone can repeat. It runs a {@code verity local} cluster (2
 * learner, 2 reward and 2 rollout nodes by default) on a fresh data directory and, on a seeded
 * schedule, kills a node with SIGKILL, freezes one with SIGSTOP or drains one, the run
 * coordinator's host included, and starts a replacement each time; at the end it audits both
 * journals and prints one line: the faults by kind, the steps reached, the leases, and what was
 * lost, trained twice or trained after its lease closed. It exits 1 when anything was.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description = "Run a local cluster under a seeded schedule of node faults; audit the journals.")
public final class SoakCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--minutes", required = true, description = "How long the run lasts.")
  double minutes;

  @Option(names = "--seed", description = "Seed of the run and of the fault schedule (default 1).")
  long seed = 1;

  @Option(names = "--transport", description = "tcp (default) or aeron-udp.")
  String transport = "tcp";

  @Option(names = "--summary", description = "Write the run's JSON summary here.")
  Path summary;

  @Option(names = "--learner", description = "Learner nodes (default 2).")
  int learnerNodes = 2;

  @Option(names = "--reward", description = "Reward nodes (default 2).")
  int rewardNodes = 2;

  @Option(names = "--rollout", description = "Rollout nodes (default 2).")
  int rolloutNodes = 2;

  @Option(names = "--suite", description = "Suite (default arith).")
  String suite = "arith";

  @Option(
      names = "--data-dir",
      description = "Directory of the run (default soak-data); its earlier run is deleted.")
  Path dataDir = Path.of("soak-data");

  @Option(names = "--config", description = "A HOCON file of settings (see README).")
  Path config;

  @Option(
      names = "--fault-every",
      description = "Seconds between faults, MIN-MAX, drawn per fault (default 30-60).")
  String faultEvery = "30-60";

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration[] waits;
    try {
      waits = parseWaits(faultEvery);
      if (!(minutes > 0)) {
        throw new IllegalArgumentException("--minutes must be > 0, got " + minutes);
      }
    } catch (IllegalArgumentException e) {
      err.println("verity soak: " + e.getMessage());
      return Main.USAGE_ERROR;
    }
    Path summaryFile = summary != null ? summary : dataDir.resolve("soak-summary.json");
    LocalCommand local = new LocalCommand();
    CommandLine cli = new CommandLine(local).setOut(out).setErr(err);
    cli.parseArgs(localArgs(summaryFile).toArray(String[]::new));
    ScheduledExecutorService resumer = Executors.newSingleThreadScheduledExecutor();
    Faults faults = new Faults(new ChaosSchedule(seed, waits[0], waits[1], 3), resumer, out);
    local.duringRun = faults;
    int code;
    try {
      code = local.call();
    } finally {
      resumer.shutdown();
      resumer.awaitTermination(40, TimeUnit.SECONDS); // a frozen node is resumed before exit
    }
    if (code != 0 || !Files.exists(summaryFile)) {
      err.println("verity soak: the run did not finish (exit code " + code + ")");
      return code != 0 ? code : 1;
    }
    RunSummary s = RunSummary.read(summaryFile);
    out.println(line(s, faults.monkey));
    return s.ledger() != null && s.ledger().exact() ? 0 : 1;
  }

  private List<String> localArgs(Path summaryFile) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--suite",
                suite,
                "--seed",
                Long.toString(seed),
                "--max-minutes",
                Double.toString(minutes),
                "--data-dir",
                dataDir.toString(),
                "--fresh",
                "--summary",
                summaryFile.toString(),
                "--transport",
                transport,
                "--learner",
                Integer.toString(learnerNodes),
                "--reward",
                Integer.toString(rewardNodes),
                "--rollout",
                Integer.toString(rolloutNodes),
                "--console-port",
                "-1"));
    if (config != null) {
      args.addAll(List.of("--config", config.toString()));
    }
    return args;
  }

  static Duration[] parseWaits(String minMax) {
    String[] parts = minMax.split("-");
    try {
      if (parts.length == 2) {
        long min = Long.parseLong(parts[0].trim());
        long max = Long.parseLong(parts[1].trim());
        if (min >= 1 && max >= min) {
          return new Duration[] {Duration.ofSeconds(min), Duration.ofSeconds(max)};
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--fault-every must be MIN-MAX seconds with 1 <= MIN <= MAX, got " + minMax);
  }

  /** The soak's one line. */
  static String line(RunSummary s, ChaosMonkey monkey) {
    Map<ChaosSchedule.Kind, Integer> f = monkey == null ? Map.of() : monkey.injected();
    int total = f.values().stream().mapToInt(Integer::intValue).sum();
    LedgerAudit.Result a = s.ledger();
    return String.format(
        Locale.ROOT,
        "soak: faults %d (kill %d, stop %d, drain %d; %d at the coordinator's host); steps %,d;"
            + " leases %,d (consumed %,d, expired %s); lost %d, duplicates %d, consumed after close"
            + " %d%s",
        total,
        f.getOrDefault(ChaosSchedule.Kind.KILL, 0),
        f.getOrDefault(ChaosSchedule.Kind.STOP, 0),
        f.getOrDefault(ChaosSchedule.Kind.DRAIN, 0),
        monkey == null ? 0 : monkey.atCoordinator(),
        s.steps(),
        a.leased(),
        a.consumed(),
        a.expiredByCause(),
        a.lost(),
        a.duplicates(),
        a.consumedAfterClose(),
        a.inconsistencies() == 0 ? "" : ", " + a.inconsistencies() + " INCONSISTENCIES");
  }

  /** The faults, injected into the local cluster while its run lasts. */
  private static final class Faults implements LocalCommand.DuringRun, ChaosMonkey.Cluster {
    private final ChaosSchedule schedule;
    private final ScheduledExecutorService resumer;
    private final PrintWriter out;
    private final AtomicInteger replacements = new AtomicInteger();
    private LocalCommand.LocalCluster cluster;
    private ChaosMonkey monkey;

    Faults(ChaosSchedule schedule, ScheduledExecutorService resumer, PrintWriter out) {
      this.schedule = schedule;
      this.resumer = resumer;
      this.out = out;
    }

    @Override
    public void started(LocalCommand.LocalCluster c) {
      cluster = c;
      monkey = new ChaosMonkey(schedule, this, resumer, out);
      monkey.start();
    }

    @Override
    public void ended() throws InterruptedException {
      if (monkey != null) {
        monkey.stop();
      }
    }

    @Override
    public List<ChaosMonkey.Node> alive() {
      return cluster.processes().nodes().stream()
          .filter(n -> n.process().isAlive())
          .map(Faults::node)
          .toList();
    }

    private static ChaosMonkey.Node node(NodeProcesses.Node n) {
      return new ChaosMonkey.Node(n.spec().name(), n.spec().roles(), n.process().pid());
    }

    /** The oldest learner member that is up: where the coordinator singleton runs. */
    @Override
    public Optional<ChaosMonkey.Node> coordinatorHost() {
      Member oldest = null;
      for (Member m : Cluster.get(cluster.system()).state().getMembers()) {
        boolean candidate = m.hasRole(Role.LEARNER.configName()) && m.status() == MemberStatus.up();
        if (candidate && (oldest == null || m.isOlderThan(oldest))) {
          oldest = m;
        }
      }
      if (oldest == null) {
        return Optional.empty();
      }
      String name = cluster.names().get(oldest.address().getPort().orElse(-1));
      return alive().stream().filter(n -> n.name().equals(name)).findFirst();
    }

    @Override
    public String startReplacement(List<String> roles) throws IOException {
      String name = roles.get(0) + "-r" + replacements.incrementAndGet();
      int port = NodeAddress.freePort(LocalCommand.HOST);
      cluster.names().put(port, name);
      NodeProcesses processes = cluster.processes();
      processes.start(
          new NodeProcesses.Spec(name, roles, port),
          exited -> LocalCommand.failWithoutLearners(processes, cluster.result()));
      return name;
    }

    @Override
    public void drain(ChaosMonkey.Node node) {
      cluster.processes().nodes().stream()
          .filter(n -> n.spec().name().equals(node.name()))
          .findFirst()
          .ifPresent(
              n ->
                  Cluster.get(cluster.system())
                      .manager()
                      .tell(
                          Leave.create(
                              AddressFromURIString.parse(
                                  new NodeAddress(LocalCommand.HOST, n.spec().port())
                                      .akkaAddress(ClusterNode.SYSTEM)))));
    }
  }
}
