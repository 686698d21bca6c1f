package verity.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verity.reward.sandbox.PythonHarnessTesting.assertOutcome;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verity.envs.CheckResult;
import verity.envs.Outcome;
import verity.envs.Task;
import verity.envs.python.PythonCodeSuite;
import verity.envs.python.PythonTask;
import verity.reward.PlanExecutor;

/** Ordinary completions through the harness and the sandbox get the verdicts they deserve. */
class HonestPythonProgramsTest {
  static PythonHarnessTesting h;

  @BeforeAll
  static void start() {
    h = new PythonHarnessTesting();
  }

  @Test
  void shouldJudgeACorrectSolutionCorrect() {
    assertEquals(CheckResult.correct(), h.verdict(PythonHarnessTesting.HONEST));
  }

  @Test
  void shouldJudgeASolutionThatPrintsAndImportsCorrect() {
    assertEquals(
        CheckResult.correct(),
        h.verdict(
            "import math, sys\nprint('debug')\nprint('noise', file=sys.stderr)\n"
                + "def add_two(a, b):\n    print(a, b)\n    return int(math.fsum([a, b]))\n"));
  }

  @Test
  void shouldNameTheFirstFailingTest() {
    CheckResult r = h.verdict("def add_two(a, b):\n    return 3\n");
    assertOutcome(Outcome.WRONG, r);
    assertEquals("test 2 failed: assert add_two(-4, 4) == 0", r.detail());
  }

  @Test
  void shouldCallASyntaxErrorMalformed() {
    CheckResult r = h.verdict("def add_two(a, b)\n    return a + b\n");
    assertOutcome(Outcome.MALFORMED, r);
    assertTrue(r.detail().startsWith("SyntaxError"), r.detail());
  }

  @Test
  void shouldCallAnEmptyCompletionMalformed() {
    assertOutcome(Outcome.MALFORMED, h.verdict("\n  \n"));
  }

  @Test
  void shouldCallAnExceptionInATestACrash() {
    CheckResult r = h.verdict("def add_two(a, b):\n    return a / 0\n");
    assertOutcome(Outcome.CRASHED, r);
    assertEquals("test 1 raised ZeroDivisionError: division by zero", r.detail());
  }

  @Test
  void shouldCallAnExceptionAtTheTopLevelACrash() {
    CheckResult r = h.verdict("raise ValueError('no')\n");
    assertOutcome(Outcome.CRASHED, r);
    assertEquals("the code raised ValueError: no", r.detail());
  }

  @Test
  void shouldCallAMissingFunctionACrash() {
    CheckResult r = h.verdict("def add(a, b):\n    return a + b\n");
    assertOutcome(Outcome.CRASHED, r);
    assertTrue(r.detail().contains("NameError"), r.detail());
  }

  @Test
  void shouldAcceptEveryShippedReferenceSolution() {
    PythonCodeSuite shipped = PythonCodeSuite.standard();
    PlanExecutor executor = new PlanExecutor(h.sandbox);
    for (PythonTask t : shipped.tasks()) {
      assertEquals(
          CheckResult.correct(),
          executor.execute(shipped.plan(t, t.solution())),
          "reference solution of " + t.id());
    }
  }

  @Test
  void shouldJudgeASolutionThatPassesOnlySomeShippedTestsWrong() {
    PythonCodeSuite shipped = PythonCodeSuite.standard();
    PlanExecutor executor = new PlanExecutor(h.sandbox);
    Task square = shipped.lookup("square");
    CheckResult r = executor.execute(shipped.plan(square, "def square(n):\n    return n + n\n"));
    assertOutcome(Outcome.WRONG, r);
  }
}
