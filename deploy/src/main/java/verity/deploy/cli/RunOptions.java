package verity.deploy.cli;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Option;
import verity.console.Console;
import verity.console.ConsoleSettings;
import verity.deploy.audit.LedgerAudit;
import verity.deploy.run.DevSettings;
import verity.deploy.run.PolicyExport;
import verity.deploy.run.RunMarker;
import verity.deploy.run.RunPlan;
import verity.deploy.run.RunSummary;
import verity.envs.Suite;

/**
 * The run flags that {@code verity dev} and {@code verity local} share, each mapped to the
 * configuration key it sets, and what both do to the data directory before a run: {@code --fresh}
 * and the check that it holds no run of another suite.
 */
final class RunOptions {

  /** Each flag and the configuration key it sets. */
  static final Map<String, String> FLAG_KEYS =
      Map.ofEntries(
          Map.entry("--suite", "verity.suite"),
          Map.entry("--seed", "verity.seed"),
          Map.entry("--max-steps", "verity.learner.max-steps"),
          Map.entry("--max-minutes", "verity.dev.max-minutes"),
          Map.entry("--target-pass", "verity.dev.target-pass"),
          Map.entry("--data-dir", "verity.data-dir"),
          Map.entry("--summary", "verity.dev.summary"),
          Map.entry("--workers", "verity.rollout.workers"),
          Map.entry("--warm-start-steps", "verity.learner.warm-start.steps"),
          Map.entry("--policy", "verity.policy.kind"),
          Map.entry("--model", "verity.policy.model"),
          Map.entry("--no-chat-template", "verity.policy.chat-template"),
          Map.entry("--export", "verity.dev.export"));

  /** What a data directory holds of a run: deleted by --fresh. */
  static final List<String> RUN_STATE =
      List.of("journal.mv.db", "journal.trace.db", "checkpoints", "run.properties", "nodes");

  @Option(
      names = "--suite",
      description = "Suite: arith (default), arith2, math, gridworld, dsl-code or python-code.")
  String suite;

  @Option(
      names = "--policy",
      description =
          "The network: gru (default) or transformer (a fresh Llama-family decoder, sized by"
              + " verity.policy.transformer).")
  String policy;

  @Option(
      names = "--model",
      description =
          "A Hugging Face model directory (config.json, safetensors, tokenizer.json) every replica"
              + " starts from, with its tokenizer; implies --policy transformer.")
  Path model;

  @Option(
      names = "--no-chat-template",
      description =
          "Feed prompts as plain text even when the --model directory has a chat template.")
  boolean noChatTemplate;

  @Option(
      names = "--export",
      description =
          "After the run, write its newest checkpoint (with --max-steps, the last step's) as a"
              + " Hugging Face directory here (transformer policies).")
  Path export;

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
          "Directory for the logs, journal and checkpoints (default ./data); a run started on a"
              + " directory that holds one resumes it.")
  Path dataDir;

  @Option(names = "--config", description = "A HOCON file of settings (see README).")
  Path config;

  @Option(names = "--summary", description = "Write a JSON summary of the run here.")
  Path summary;

  @Option(names = "--workers", description = "Rollout workers per rollout node (default 1).")
  Integer workers;

  @Option(names = "--warm-start-steps", description = "Supervised steps before RL.")
  Integer warmStartSteps;

  @Option(
      names = "--fresh",
      description =
          "Start over: delete the data dir's journal and checkpoints instead of resuming from them.")
  boolean fresh;

  @Option(
      names = "--console-port",
      description = "Port of the live console (default 8080; 0: any free port; -1: no console).")
  Integer consolePort;

  @Option(
      names = "--console-host",
      description = "Address the console listens on (default 127.0.0.1; others need a token).")
  String consoleHost;

  @Option(
      names = "--console-token",
      description =
          "Token every console request must carry (or set VERITY_CONSOLE_TOKEN, which stays out"
              + " of the process list); at least 16 characters.")
  String consoleToken;

  /**
   * The console's settings from the flags over {@code verity.console}, or empty with {@code
   * --console-port -1}. The token is kept out of the run's configuration, which {@code local}
   * writes to a file for its nodes.
   *
   * @throws IllegalArgumentException naming what is wrong (a public address without a token, ...)
   */
  Optional<ConsoleSettings> console(Config config) {
    Config c = config.getConfig("verity.console");
    int port = consolePort != null ? consolePort : c.getInt("port");
    if (port == -1) {
      return Optional.empty();
    }
    String host = consoleHost != null ? consoleHost : c.getString("host");
    Optional<String> token =
        consoleToken != null
            ? Optional.of(consoleToken)
            : !c.getString("token").isBlank()
                ? Optional.of(c.getString("token"))
                : Optional.ofNullable(System.getenv(ConsoleSettings.TOKEN_ENV));
    return Optional.of(new ConsoleSettings(host, port, token));
  }

  /**
   * Starts the console on {@code system} and prints where it is.
   *
   * @return false (after printing why on {@code err}) when it could not listen
   */
  static boolean startConsole(
      ActorSystem<?> system,
      Optional<ConsoleSettings> settings,
      String command,
      PrintWriter out,
      PrintWriter err) {
    if (settings.isEmpty()) {
      return true;
    }
    String inUse = portInUse(settings.get());
    if (inUse != null) {
      err.println(cannotListen(command, settings.get(), inUse));
      return false;
    }
    try {
      Console console =
          Console.start(system, settings.get()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      out.println(
          "console: "
              + console.url()
              + (console.requiresToken()
                  ? " (token required: open it once with ?token=..., or send Authorization:"
                      + " Bearer)"
                  : ""));
      out.flush();
      return true;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      err.println(cannotListen(command, settings.get(), cause.getMessage()));
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String cannotListen(String command, ConsoleSettings settings, String why) {
    return command
        + ": the console cannot listen on "
        + settings.host()
        + ":"
        + settings.port()
        + " ("
        + why
        + "); choose another --console-port (0: any free port, -1: no console)";
  }

  /** Why the console's port cannot be bound (checked before Akka logs a failed bind), or null. */
  private static String portInUse(ConsoleSettings settings) {
    if (settings.port() == 0) {
      return null;
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(settings.host(), settings.port()));
      return null;
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  /** The flags that were given, by configuration key. */
  Map<String, Object> flags() {
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
    put(flags, "--policy", policy);
    if (model != null) {
      // Absolute: local's nodes read the run's configuration from a file, whatever their cwd.
      put(flags, "--model", model.toAbsolutePath().toString());
      put(flags, "--policy", policy != null ? policy : "transformer");
    }
    if (noChatTemplate) {
      put(flags, "--no-chat-template", false);
    }
    put(flags, "--export", export == null ? null : export.toString());
    return flags;
  }

  private static void put(Map<String, Object> flags, String flag, Object value) {
    if (value != null) {
      flags.put(FLAG_KEYS.get(flag), value);
    }
  }

  /**
   * Makes the data directory ready for a run of {@code suite}: deletes the previous run's state
   * with {@code --fresh}, and refuses a directory holding a run of another suite.
   *
   * @return false (after printing why on {@code err}) when the run must not start
   */
  boolean prepareDataDir(Path data, String suite, String command, PrintWriter err)
      throws IOException {
    Files.createDirectories(data);
    if (fresh) {
      for (String name : RUN_STATE) {
        deleteRecursively(data.resolve(name));
      }
    }
    RunMarker.Marker previous = RunMarker.read(data);
    if (previous != null && !suite.equals(previous.suite())) {
      err.println(
          command
              + ": --data-dir "
              + data
              + " holds a run of suite "
              + previous.suite()
              + "; add --fresh to start over there, or use another --data-dir");
      return false;
    }
    if (previous != null && previous.journalFormat() != RunMarker.JOURNAL_FORMAT) {
      err.println(
          command
              + ": --data-dir "
              + data
              + " holds a run whose journal an older Verity wrote (format "
              + previous.journalFormat()
              + ", this Verity writes "
              + RunMarker.JOURNAL_FORMAT
              + "); finish that run with the Verity that started it, or add --fresh to start over");
      return false;
    }
    RunMarker.write(data, suite);
    return true;
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Names the flag behind a configuration key in an error message. */
  static String withFlag(String message) {
    for (Map.Entry<String, String> e : FLAG_KEYS.entrySet()) {
      if (message.contains(e.getValue())) {
        return message + " (flag " + e.getKey() + ")";
      }
    }
    return message;
  }

  /** The line that says, at the start of a run, what its pass@1 figures are measured on. */
  static String splitsLine(Suite suite) {
    return "splits of " + suite.name() + ": " + suite.splitRule();
  }

  /** The closing line of a run. */
  static String doneLine(RunSummary s) {
    return String.format(
        Locale.ROOT,
        "done (%s): %d steps, v%d, greedy pass@1 %.3f -> %.3f on the %s split, %.1f s, %,.0f"
            + " tokens/s",
        s.stopReason(),
        s.steps(),
        s.policyVersion(),
        s.initialPass(),
        s.finalPass(),
        s.finalSplit(),
        s.wallSeconds(),
        s.tokensPerSecond());
  }

  /**
   * The end of a run, the same for {@code dev} and {@code local}: the summary completed with the
   * journal's audit, its ledger and closing lines printed, and the JSON written if asked for.
   */
  static RunSummary finish(
      RunSummary summary, LedgerAudit.Result audit, RunPlan plan, PrintWriter out)
      throws IOException {
    DevSettings dev = plan.dev();
    RunSummary s = summary.withLedger(audit);
    out.println(ledgerLine(audit));
    out.println(doneLine(s));
    if (dev.summary().isPresent()) {
      s.writeTo(dev.summary().get());
      out.println("summary written to " + dev.summary().get());
    }
    if (dev.export().isPresent()) {
      String version = PolicyExport.write(plan, dev.export().get());
      out.println("policy " + version + " exported to " + dev.export().get());
    }
    return s;
  }

  /** What the journal says became of the run's leases. */
  static String ledgerLine(LedgerAudit.Result a) {
    return String.format(
        Locale.ROOT,
        "ledger: %,d leases: %,d consumed, %,d rejected stale, %,d failed, %,d expired and leased"
            + " again %s, %,d reopened, %,d open at the end; lost %d, duplicates %d,"
            + " consumed after close %d%s",
        a.leased(),
        a.consumed(),
        a.rejectedStale(),
        a.failed(),
        a.expired(),
        a.expiredByCause(),
        a.reopened(),
        a.openAtEnd(),
        a.lost(),
        a.duplicates(),
        a.consumedAfterClose(),
        a.inconsistencies() == 0
            ? ""
            : ", " + a.inconsistencies() + " INCONSISTENCIES (lost sample " + a.lostSample() + ")");
  }
}
