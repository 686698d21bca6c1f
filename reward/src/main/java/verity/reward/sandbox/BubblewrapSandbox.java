package verity.reward.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verity.envs.CheckPlan;
import verity.reward.ProgramRunner;

/**
 * Runs untrusted programs in bubblewrap sandboxes, one fresh sandbox per run. Each run gets its own
 * private temp dir on the host holding the program, which reaches the interpreter on stdin and is
 * never mounted; the sandbox has every namespace unshared (no network), a read-only /usr, private
 * size-limited tmpfs for /tmp, home and /dev/shm, no host environment, no capabilities, and the
 * program as its pid 1 under the rlimits of {@link BubblewrapCommand}. On a node run as root the
 * sandbox is started as an unprivileged uid, since root's processes keep capabilities and escape
 * RLIMIT_NPROC. The JVM enforces the wall-clock deadline, then always kills the whole process tree,
 * drains stdout and stderr up to the output cap, and deletes the temp dir.
 */
public final class BubblewrapSandbox implements ProgramRunner {
  private static final Logger LOG = LoggerFactory.getLogger(BubblewrapSandbox.class);
  private static final String PYTHON = "python3";

  /** Limits of the start-up probe: a trivial program needs little. */
  private static final CheckPlan.Limits PROBE_LIMITS =
      new CheckPlan.Limits(
          Duration.ofSeconds(20), Duration.ofSeconds(5), 256L << 20, 8, 1 << 20, 4096);

  private static final String NAMESPACE_HINT =
      " (are unprivileged user namespaces allowed? see sysctl user.max_user_namespaces,"
          + " kernel.unprivileged_userns_clone and kernel.apparmor_restrict_unprivileged_userns)";

  private final SandboxSettings settings;
  private final boolean dropRoot;
  private final BubblewrapCommand command;

  public BubblewrapSandbox(SandboxSettings settings) {
    this.settings = settings;
    this.dropRoot = runningAsRoot();
    this.command =
        new BubblewrapCommand(settings, dropRoot, BubblewrapCommand.systemMounts(settings));
  }

  /**
   * Checks that the tools exist and that a sandbox really starts here and runs Python.
   *
   * @throws SandboxUnavailableException with a one-line message saying what is missing or why a
   *     sandbox cannot start
   */
  public void requireAvailable() {
    requireExecutable(settings.bwrap(), "bwrap", "install bubblewrap");
    requireExecutable(settings.python(), "python", "install python3");
    requireExecutable(settings.prlimit(), "prlimit", "install util-linux");
    if (dropRoot) {
      requireExecutable(settings.setpriv(), "setpriv", "install util-linux");
    }
    CheckPlan.ProgramRun run;
    try {
      run = run(new CheckPlan.Program(PYTHON, "print(6 * 7)\n", PROBE_LIMITS));
    } catch (SandboxUnavailableException e) {
      throw new SandboxUnavailableException(
          "bubblewrap cannot start a sandbox here: " + e.getMessage() + NAMESPACE_HINT, e);
    }
    if (run.timedOut() || run.exitCode() != 0 || !run.stdout().strip().equals("42")) {
      throw new SandboxUnavailableException(
          "a sandbox started but "
              + settings.python()
              + " did not run in it (exit "
              + run.exitCode()
              + (run.timedOut() ? ", timed out" : "")
              + ")"
              + firstLine(run.stderr()),
          null);
    }
  }

  @Override
  public CheckPlan.ProgramRun run(CheckPlan.Program program) {
    List<String> interpreter = interpreter(program.interpreter());
    CheckPlan.Limits limits = settings.cap(program.limits());
    Path dir;
    try {
      dir = Files.createTempDirectory("verity-sandbox-");
    } catch (IOException e) {
      throw new SandboxUnavailableException("cannot create a temp dir for a sandbox", e);
    }
    try {
      Path source = dir.resolve("program");
      Files.writeString(source, program.source());
      Path status = dir.resolve("status.json");
      return execute(command.build(status, limits, interpreter), source, status, limits);
    } catch (IOException e) {
      throw new SandboxUnavailableException("cannot run a sandbox: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SandboxUnavailableException("interrupted while a sandbox ran", e);
    } finally {
      deleteTree(dir);
    }
  }

  private CheckPlan.ProgramRun execute(
      List<String> cmd, Path source, Path status, CheckPlan.Limits limits)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectInput(source.toFile());
    builder.environment().clear();
    long start = System.nanoTime();
    Process process = builder.start();
    CappedOutput stdout =
        CappedOutput.start(process.getInputStream(), limits.outputBytes(), "sandbox-stdout");
    CappedOutput stderr =
        CappedOutput.start(process.getErrorStream(), limits.outputBytes(), "sandbox-stderr");
    boolean finished;
    try {
      finished = process.waitFor(limits.wallClock().toNanos(), TimeUnit.NANOSECONDS);
    } finally {
      ProcessTree.kill(process);
    }
    long now = System.nanoTime();
    Duration elapsed = Duration.ofNanos(now - start);
    // One grace period for all the clean-up, so a run always ends by deadline + grace.
    long deadline = now + settings.killGrace().toNanos();
    process.waitFor(deadline - now, TimeUnit.NANOSECONDS);
    String out = stdout.await(deadline);
    String err = stderr.await(deadline);
    boolean truncated = stdout.truncated() || stderr.truncated();
    if (!finished) {
      return new CheckPlan.ProgramRun(
          process.isAlive() ? -1 : process.exitValue(), out, err, true, truncated, elapsed);
    }
    OptionalInt exitCode = BwrapStatus.exitCode(status);
    if (exitCode.isEmpty()) {
      throw new SandboxUnavailableException(
          "bwrap did not start the program (exit " + process.exitValue() + ")" + firstLine(err),
          null);
    }
    return new CheckPlan.ProgramRun(exitCode.getAsInt(), out, err, false, truncated, elapsed);
  }

  private List<String> interpreter(String name) {
    if (!PYTHON.equals(name)) {
      throw new IllegalArgumentException(
          "the sandbox runs " + PYTHON + " programs only, not '" + name + "'");
    }
    // -I: no environment, user site or script directory on sys.path; -S: the standard library
    // only, so no site-packages .pth hook of the host runs in the sandbox (and start-up is ~30 ms
    // faster); "-": the program comes on stdin.
    return List.of(settings.python().toString(), "-I", "-S", "-");
  }

  private static void requireExecutable(Path path, String key, String fix) {
    if (!Files.isExecutable(path)) {
      throw new SandboxUnavailableException(
          key + " not found at " + path + ": " + fix + " or set verity.reward.sandbox." + key,
          null);
    }
  }

  /** The JVM's effective uid is the owner of /proc/self. */
  private static boolean runningAsRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      throw new SandboxUnavailableException("cannot tell which user this node runs as", e);
    }
  }

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    return line.isEmpty() ? "" : ": " + (line.length() > 300 ? line.substring(0, 300) : line);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("could not delete sandbox dir {}: {}", dir, e.toString());
    }
  }
}
