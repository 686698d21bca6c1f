package verity.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import verity.envs.CheckPlan;
import verity.envs.CheckResult;
import verity.envs.Outcome;
import verity.envs.python.PythonCodeSuite;
import verity.envs.python.PythonTask;
import verity.reward.PlanExecutor;

/** A python-code suite of one task, checked through a real sandbox, with a timed verdict. */
final class PythonHarnessTesting {
  static final CheckPlan.Limits LIMITS =
      new CheckPlan.Limits(
          Duration.ofSeconds(3), Duration.ofSeconds(2), 256L << 20, 16, 1 << 20, 64 << 10);

  /** Past the deadline, killing the tree and draining the pipes must take no longer than this. */
  static final Duration MARGIN = Duration.ofSeconds(3);

  static final String HONEST = "def add_two(a, b):\n    return a + b\n";

  final BubblewrapSandbox sandbox;
  final PlanExecutor executor;
  final PythonCodeSuite suite;
  final PythonTask task;

  PythonHarnessTesting() {
    sandbox = new BubblewrapSandbox(SandboxSettings.from(ConfigFactory.load()));
    sandbox.requireAvailable();
    executor = new PlanExecutor(sandbox);
    PythonTask shipped = (PythonTask) PythonCodeSuite.standard().lookup("add-two");
    suite = new PythonCodeSuite(List.of(shipped), 0, LIMITS);
    task = shipped;
  }

  /** The verdict on a completion, which must come within the deadline plus the margin. */
  CheckResult verdict(String completion) {
    long start = System.nanoTime();
    CheckResult result = executor.execute(suite.plan(task, completion));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(LIMITS.wallClock().plus(MARGIN)) < 0, "took " + took + ": " + result);
    return result;
  }

  /** The sandbox still judges an honest solution correct. */
  void assertStillWorks() {
    assertEquals(CheckResult.correct(), verdict(HONEST));
  }

  static void assertOutcome(Outcome expected, CheckResult result) {
    assertEquals(expected, result.outcome(), result.toString());
    assertEquals(0.0, result.reward());
  }
}
