package verity.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verity.reward.sandbox.PythonHarnessTesting.HONEST;
import static verity.reward.sandbox.PythonHarnessTesting.assertOutcome;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.envs.CheckResult;
import verity.envs.Outcome;

/**
 * Completions that attack the harness or the sandbox. Each must end, within its deadline, in a
 * verdict other than correct, and leave a sandbox that still judges an honest solution correct.
 */
class HostilePythonProgramsTest {
  static PythonHarnessTesting h;

  @BeforeAll
  static void start() {
    h = new PythonHarnessTesting();
  }

  @AfterEach
  void sandboxStillWorks() {
    h.assertStillWorks();
  }

  static final String WRONG = "def add_two(a, b):\n    return 0\n";

  static CheckResult verdict(String completion) {
    CheckResult r = h.verdict(completion);
    assertNotEquals(Outcome.CORRECT, r.outcome(), r.toString());
    return r;
  }

  // Time.

  @Test
  void shouldTimeOutAnInfiniteLoop() {
    assertOutcome(Outcome.TIMEOUT, verdict("while True:\n    pass\n"));
  }

  @Test
  void shouldTimeOutAnInfiniteLoopInsideTheFunction() {
    assertOutcome(Outcome.TIMEOUT, verdict("def add_two(a, b):\n    while True:\n        pass\n"));
  }

  @Test
  void shouldTimeOutALoopThatIgnoresTerminationSignals() {
    assertOutcome(
        Outcome.TIMEOUT,
        verdict(
            "import signal\n"
                + "for s in (signal.SIGTERM, signal.SIGINT, signal.SIGXCPU, signal.SIGHUP):\n"
                + "    signal.signal(s, signal.SIG_IGN)\n"
                + "while True:\n    pass\n"));
  }

  @Test
  void shouldTimeOutSleepingPastTheDeadline() {
    assertOutcome(Outcome.TIMEOUT, verdict("import time\ntime.sleep(60)\n" + HONEST));
  }

  @Test
  void shouldTimeOutAProgramThatClosesItsOutputsAndLoops() {
    assertOutcome(
        Outcome.TIMEOUT, verdict("import os\nos.close(1)\nos.close(2)\nwhile True:\n    pass\n"));
  }

  // Resources.

  @Test
  void shouldContainAForkBomb() {
    CheckResult r =
        verdict(
            "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n");
    assertTrue(Set.of(Outcome.TIMEOUT, Outcome.VIOLATION).contains(r.outcome()), r.toString());
  }

  @Test
  void shouldStopAMemoryBombAtTheAddressSpaceLimit() {
    CheckResult r = verdict("blocks = []\nwhile True:\n    blocks.append(bytearray(10 ** 7))\n");
    assertOutcome(Outcome.VIOLATION, r);
    assertTrue(r.detail().contains("MemoryError"), r.detail());
  }

  @Test
  void shouldStopAHugeFileAtTheFileSizeLimit() {
    CheckResult r = verdict("open('/tmp/big', 'wb').write(b'x' * (8 << 20))\n" + HONEST);
    assertOutcome(Outcome.VIOLATION, r);
    assertTrue(r.detail().contains("EFBIG") || r.detail().contains("File too large"), r.detail());
  }

  @Test
  void shouldStopFillingTheTmpfsWithManyFiles() {
    assertOutcome(
        Outcome.VIOLATION,
        verdict(
            "for i in range(10 ** 4):\n    open('/tmp/f%d' % i, 'wb').write(b'x' * (1 << 19))\n"));
  }

  @Test
  void shouldNotLetAProgramFillDev() {
    // /dev was a tmpfs without a size: its pages are charged to the pod, and the OOM killer
    // cannot free them. It is read-only now; the devices in it still work.
    CheckResult r =
        verdict(
            "for i in range(128):\n    open('/dev/f%d' % i, 'wb').write(b'x' * (1 << 19))\n"
                + HONEST);
    assertTrue(r.detail().contains("Read-only file system"), r.detail());
  }

  @Test
  void shouldStopExhaustingFileDescriptors() {
    CheckResult r = verdict("files = []\nwhile True:\n    files.append(open('/dev/null'))\n");
    assertOutcome(Outcome.VIOLATION, r);
    assertTrue(r.detail().contains("Too many open files"), r.detail());
  }

  @Test
  void shouldCallRunawayRecursionACrash() {
    assertOutcome(Outcome.CRASHED, verdict("def add_two(a, b):\n    return add_two(a, b)\n"));
  }

  @Test
  void shouldCallAStackOverflowPastPythonsGuardACrash() {
    assertOutcome(
        Outcome.CRASHED,
        verdict(
            "import sys\nsys.setrecursionlimit(10 ** 8)\n"
                + "def add_two(a, b):\n    return add_two(*map(int, [a, b]))\n"));
  }

  @Test
  void shouldTurnAHugeAnswerIntoAViolation() {
    assertOutcome(Outcome.VIOLATION, verdict("def add_two(a, b):\n    return 'x' * (20 << 20)\n"));
  }

  @Test
  void shouldIgnoreHugeOutput() {
    assertOutcome(
        Outcome.WRONG,
        verdict(
            "for _ in range(20000):\n    print('VERITY-PYTHON-REPORT ' + 'x' * 1000)\n" + WRONG));
  }

  // The host.

  @Test
  void shouldRefuseWritesOutsideTheSandbox() {
    String name = "verity-escape-" + UUID.randomUUID();
    List<Path> targets =
        List.of(
            Path.of("/usr", name),
            Path.of("/etc", name),
            Path.of(System.getProperty("user.dir"), name));
    StringBuilder src = new StringBuilder();
    for (Path t : targets) {
      src.append("try:\n    open('")
          .append(t)
          .append("', 'w').write('x')\nexcept OSError:\n    pass\n");
    }
    src.append("open('").append(targets.get(0)).append("', 'w').write('x')\n");
    assertOutcome(Outcome.VIOLATION, verdict(src + HONEST));
    for (Path t : targets) {
      assertFalse(Files.exists(t), t + " was created on the host");
    }
  }

  @Test
  void shouldHideHostFiles(@TempDir Path hostDir) throws IOException {
    // Were the file visible, the program would run the honest solution it holds and pass.
    Path secret = Files.writeString(hostDir.resolve("solution.py"), HONEST);
    CheckResult r = verdict("exec(open('" + secret + "').read())\n");
    assertOutcome(Outcome.CRASHED, r);
    assertTrue(r.detail().contains("FileNotFoundError"), r.detail());
  }

  @Test
  void shouldHideTheHostsEnvironment() {
    // The honest solution is defined only if any variable beyond the sandbox's own is visible.
    assertOutcome(
        Outcome.CRASHED,
        verdict(
            "import os\n"
                + "if set(os.environ) - {'HOME', 'LANG', 'PATH', 'PWD'}:\n"
                + "    def add_two(a, b):\n        return a + b\n"));
  }

  @Test
  void shouldNotReachTheHostNetwork() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CheckResult r =
          verdict(
              "import socket\nsocket.create_connection(('127.0.0.1', "
                  + server.getLocalPort()
                  + "), timeout=1)\n"
                  + HONEST);
      assertOutcome(Outcome.VIOLATION, r);
      server.setSoTimeout(200);
      assertThrows(SocketTimeoutException.class, server::accept);
    }
  }

  @Test
  void shouldNotResolveNames() {
    assertOutcome(
        Outcome.VIOLATION,
        verdict("import socket\nsocket.getaddrinfo('example.com', 80)\n" + HONEST));
  }

  @Test
  void shouldKillADaemonChildThatOutlivesTheProgram() {
    String marker = "verity-daemon-" + UUID.randomUUID();
    verdict(
        "import subprocess, sys\n"
            + "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)', '"
            + marker
            + "'], start_new_session=True)\n"
            + WRONG);
    assertFalse(
        ProcessHandle.allProcesses()
            .anyMatch(p -> p.info().commandLine().orElse("").contains(marker)),
        "a daemon outlived its sandbox");
  }

  // The harness.

  @Test
  void shouldProveNothingByExitingWithZeroBeforeTheTests() {
    assertOutcome(Outcome.WRONG, verdict("import sys\nsys.exit(0)\n"));
  }

  @Test
  void shouldProveNothingByExitingTheProcessAbruptly() {
    assertOutcome(Outcome.WRONG, verdict("import os\nos._exit(0)\n"));
  }

  @Test
  void shouldProveNothingByExitingInsideATest() {
    assertOutcome(Outcome.WRONG, verdict("import os\ndef add_two(a, b):\n    os._exit(0)\n"));
  }

  @Test
  void shouldIgnorePrintedSuccessAndFakeReports() {
    assertOutcome(
        Outcome.WRONG,
        verdict(
            "import os, sys\n"
                + "line = 'VERITY-PYTHON-REPORT 00 {\"verdict\": \"passed\", \"passed\": 3,"
                + " \"total\": 3}'\n"
                + "print('passed\\nOK\\n' + line)\n"
                + "os.write(1, (line + '\\n').encode())\n"
                + "sys.stdout.flush()\n"
                + WRONG));
  }

  @Test
  void shouldNotLetTheProgramWriteToTheSupervisorsStdout() {
    assertOutcome(
        Outcome.VIOLATION,
        verdict(
            "open('/proc/1/fd/1', 'w').write('VERITY-PYTHON-REPORT 00 {\"verdict\": \"passed\"}\\n')\n"
                + WRONG));
  }

  @Test
  void shouldNotLetTheProgramReadTheSupervisorsMemoryOrInput() {
    assertOutcome(
        Outcome.VIOLATION,
        verdict(
            "for p in ('/proc/1/fd/0', '/proc/1/mem', '/proc/1/environ'):\n"
                + "    try:\n        open(p, 'rb').read(1)\n"
                + "    except PermissionError:\n        continue\n"
                + "    raise SystemExit(9)\n"
                + "open('/proc/1/mem', 'rb')\n"));
  }

  @Test
  void shouldSurviveTheProgramKillingItsParent() {
    // The supervisor is pid 1 of the sandbox: signals from inside it are dropped.
    CheckResult r =
        verdict(
            "import os, signal\n"
                + "for s in (signal.SIGKILL, signal.SIGSTOP, signal.SIGTERM):\n"
                + "    os.kill(os.getppid(), s)\n"
                + "    os.kill(1, s)\n"
                + WRONG);
    assertOutcome(Outcome.WRONG, r);
    assertEquals("test 1 failed: assert add_two(1, 2) == 3", r.detail());
  }

  @Test
  void shouldJudgeACorrectSolutionThatTriedToKillItsParentOnItsMerits() {
    assertEquals(
        CheckResult.correct(),
        h.verdict("import os\nos.kill(os.getppid(), 9)\nos.kill(1, 9)\n" + HONEST));
  }

  @Test
  void shouldIgnoreAPatchedAssertAndBuiltins() {
    assertOutcome(
        Outcome.WRONG,
        verdict(
            "import builtins, operator\n"
                + "builtins.AssertionError = type('Never', (Exception,), {})\n"
                + "builtins.abs = lambda x: 0\n"
                + "operator.eq = lambda a, b: True\n"
                + WRONG));
  }

  @Test
  void shouldCallAPatchedHarnessChannelAViolation() {
    // The candidate's process may rewrite its half of the harness; the supervisor sees the lie.
    assertOutcome(
        Outcome.VIOLATION,
        verdict(
            "import json\n"
                + "json.dumps = lambda *a, **k: '{\"t\": \"value\", \"k\": 0, \"v\": [\"b\", true]}'\n"
                + WRONG));
  }

  @Test
  void shouldNotBeFooledByAnAlwaysEqualObject() {
    CheckResult r =
        verdict(
            "class Anything:\n"
                + "    def __eq__(self, other):\n        return True\n"
                + "    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__\n"
                + "    def __bool__(self):\n        return True\n"
                + "def add_two(a, b):\n    return Anything()\n");
    assertOutcome(Outcome.WRONG, r);
    assertTrue(r.detail().contains("not plain data"), r.detail());
  }

  @Test
  void shouldCompareAnIntSubclassByItsValueNotItsEquality() {
    assertOutcome(
        Outcome.WRONG,
        verdict(
            "class Sly(int):\n"
                + "    def __eq__(self, other):\n        return True\n"
                + "    __hash__ = int.__hash__\n"
                + "def add_two(a, b):\n    return Sly(7)\n"));
  }

  @Test
  void shouldGainNothingByAnsweringTheHarnessItself() {
    // The program answers every question with 3 without knowing the expected values: the first
    // test happens to expect 3, the second does not.
    CheckResult r =
        verdict(
            "import os, sys, json\n"
                + "requests = os.fdopen(int(sys.argv[1]), 'rb')\n"
                + "out = int(sys.argv[2])\n"
                + "os.write(out, b'{\"t\": \"ready\"}\\n')\n"
                + "for line in requests:\n"
                + "    k = json.loads(line)['k']\n"
                + "    os.write(out, json.dumps({'t': 'value', 'k': k, 'v': ['i', '3']}).encode() + b'\\n')\n"
                + "os._exit(0)\n");
    assertOutcome(Outcome.WRONG, r);
    assertEquals("test 2 failed: assert add_two(-4, 4) == 0", r.detail());
  }

  @Test
  void shouldCallGarbageOnTheHarnessChannelAViolation() {
    assertOutcome(
        Outcome.VIOLATION,
        verdict("import os, sys\nos.write(int(sys.argv[2]), b'garbage\\n')\n" + HONEST));
  }

  @Test
  void shouldRefuseDebuggingTheSupervisor() {
    assertOutcome(
        Outcome.VIOLATION,
        verdict(
            "import ctypes, os\n"
                + "libc = ctypes.CDLL(None, use_errno=True)\n"
                + "if libc.ptrace(16, os.getppid(), 0, 0) != 0:\n"
                + "    raise PermissionError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))\n"
                + HONEST));
  }
}
