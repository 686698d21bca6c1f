package verity.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.envs.CheckPlan;
import verity.reward.ProgramRunner;

/** The sandbox on its own: what a raw program can and cannot do, and that runs always end. */
class BubblewrapSandboxTest {
  static final CheckPlan.Limits LIMITS =
      new CheckPlan.Limits(
          Duration.ofSeconds(3), Duration.ofSeconds(2), 256L << 20, 16, 1 << 20, 4096);

  /** Past the deadline, killing the tree and draining the pipes must take no longer than this. */
  static final Duration MARGIN = Duration.ofSeconds(3);

  static SandboxSettings settings;
  static BubblewrapSandbox sandbox;

  @BeforeAll
  static void requireSandbox() {
    settings = SandboxSettings.from(ConfigFactory.load());
    sandbox = new BubblewrapSandbox(settings);
    sandbox.requireAvailable();
  }

  static CheckPlan.ProgramRun run(String source) {
    CheckPlan.ProgramRun run = sandbox.run(new CheckPlan.Program("python3", source, LIMITS));
    assertTrue(
        run.elapsed().compareTo(LIMITS.wallClock().plus(MARGIN)) < 0,
        "took " + run.elapsed() + ": " + run);
    return run;
  }

  @Test
  void shouldReportExitCodeAndBothOutputs() {
    CheckPlan.ProgramRun run =
        run("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)\n");
    assertEquals(3, run.exitCode());
    assertEquals("out\n", run.stdout());
    assertEquals("err\n", run.stderr());
    assertFalse(run.timedOut());
    assertFalse(run.outputTruncated());
  }

  @Test
  void shouldKillAProgramAtItsWallClockDeadline() {
    CheckPlan.ProgramRun run = run("import time\ntime.sleep(60)\n");
    assertTrue(run.timedOut());
    assertTrue(run.elapsed().compareTo(LIMITS.wallClock()) >= 0);
  }

  @Test
  void shouldCapOutputAndFlagIt() {
    CheckPlan.ProgramRun run = run("import sys\nsys.stdout.write('x' * 10_000_000)\n");
    assertTrue(run.outputTruncated());
    assertEquals(LIMITS.outputBytes(), run.stdout().length());
  }

  @Test
  void shouldEndARunWhoseProgramClosesStdoutAndLoops() {
    CheckPlan.ProgramRun run = run("import os\nos.close(1)\nos.close(2)\nwhile True:\n  pass\n");
    assertTrue(run.timedOut() || run.exitCode() != 0);
  }

  @Test
  void shouldGiveTheProgramNoHostEnvironment() {
    CheckPlan.ProgramRun run = run("import os\nprint(sorted(os.environ.items()))\n");
    // bwrap itself sets PWD; everything else is what the sandbox chose, not the JVM's.
    assertEquals(
        "[('HOME', '/home/sandbox'), ('LANG', 'C.UTF-8'), ('PATH', '/usr/bin:/bin'),"
            + " ('PWD', '/tmp')]\n",
        run.stdout());
  }

  @Test
  void shouldHideHostFiles(@TempDir Path hostDir) throws IOException {
    Path secret = Files.writeString(hostDir.resolve("secret.txt"), "hunter2");
    CheckPlan.ProgramRun run =
        run(
            "import os\n"
                + "for p in ['"
                + secret
                + "', '/etc/passwd', '/root', '"
                + System.getProperty("user.dir")
                + "']:\n"
                + "  print(p, os.path.exists(p))\n");
    assertFalse(run.stdout().contains("True"), run.stdout());
  }

  @Test
  void shouldRefuseWritesOutsideItsTmpfs() {
    String name = "verity-escape-" + UUID.randomUUID();
    List<Path> targets =
        List.of(
            Path.of("/usr", name),
            Path.of("/etc", name),
            Path.of(System.getProperty("user.dir"), name));
    StringBuilder src = new StringBuilder("import os\n");
    for (Path t : targets) {
      src.append("try:\n  open('")
          .append(t)
          .append("', 'w').write('x')\n  print('wrote')\nexcept OSError as e:\n  print(e.errno)\n");
    }
    CheckPlan.ProgramRun run = run(src.toString());
    assertFalse(run.stdout().contains("wrote"), run.stdout());
    for (Path t : targets) {
      assertFalse(Files.exists(t), t + " was created on the host");
    }
  }

  @Test
  void shouldBoundWhatTheProgramWritesToItsTmpfs() {
    CheckPlan.ProgramRun run =
        run(
            "import errno\n"
                + "for i in range(1000):\n"
                + "  try:\n"
                + "    open('/tmp/f%d' % i, 'wb').write(b'x' * 900_000)\n"
                + "  except OSError as e:\n"
                + "    print(errno.errorcode[e.errno]); break\n");
    assertEquals("ENOSPC\n", run.stdout());
  }

  @Test
  void shouldNotReachTheHostNetwork() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CheckPlan.ProgramRun run =
          run(
              "import socket\ntry:\n  socket.create_connection(('127.0.0.1', "
                  + server.getLocalPort()
                  + "), timeout=1)\n  print('connected')\nexcept OSError as e:\n  print(type(e).__name__)\n");
      assertFalse(run.stdout().contains("connected"), run.stdout());
      server.setSoTimeout(200);
      assertThrows(SocketTimeoutException.class, server::accept);
    }
  }

  @Test
  void shouldKillADaemonChildWhenTheProgramEnds() {
    String marker = "verity-daemon-" + UUID.randomUUID();
    run(
        "import subprocess, sys\n"
            + "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)', '"
            + marker
            + "'], start_new_session=True)\n"
            + "print('spawned')\n");
    assertFalse(
        ProcessHandle.allProcesses()
            .anyMatch(p -> p.info().commandLine().orElse("").contains(marker)),
        "a daemon outlived its sandbox");
  }

  @Test
  void shouldStopAForkBombWithinItsDeadline() {
    CheckPlan.ProgramRun run =
        run("import os\nwhile True:\n  try:\n    os.fork()\n  except OSError:\n    pass\n");
    assertTrue(run.timedOut() || run.exitCode() != 0);
    assertEquals("42\n", run("print(42)\n").stdout());
  }

  @Test
  void shouldRunTheProgramWithoutCapabilitiesOrRoot() {
    CheckPlan.ProgramRun run =
        run(
            "import os\n"
                + "caps = [l for l in open('/proc/self/status') if l.startswith('CapEff')]\n"
                + "print(os.getuid() != 0, caps[0].split()[1])\n");
    assertEquals("True 0000000000000000\n", run.stdout());
  }

  @Test
  void shouldCallAFailedSandboxStartAnInfrastructureFailure() {
    SandboxSettings broken =
        SandboxSettings.from(
            ConfigFactory.load()
                .withValue(
                    "verity.reward.sandbox.extra-read-only-paths",
                    ConfigValueFactory.fromIterable(List.of("/nonexistent-verity-path"))));
    BubblewrapSandbox sandbox = new BubblewrapSandbox(broken);
    assertThrows(
        ProgramRunner.SandboxUnavailableException.class,
        () -> sandbox.run(new CheckPlan.Program("python3", "print(1)\n", LIMITS)));
    ProgramRunner.SandboxUnavailableException e =
        assertThrows(ProgramRunner.SandboxUnavailableException.class, sandbox::requireAvailable);
    assertTrue(e.getMessage().contains("nonexistent-verity-path"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void shouldNameAMissingTool() {
    SandboxSettings missing =
        SandboxSettings.from(
            ConfigFactory.load()
                .withValue(
                    "verity.reward.sandbox.bwrap",
                    ConfigValueFactory.fromAnyRef("/nonexistent/bwrap")));
    ProgramRunner.SandboxUnavailableException e =
        assertThrows(
            ProgramRunner.SandboxUnavailableException.class,
            new BubblewrapSandbox(missing)::requireAvailable);
    assertTrue(e.getMessage().startsWith("bwrap not found at /nonexistent/bwrap"), e.getMessage());
  }
}
