package verity.envs.python;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import verity.envs.CheckPlan;
import verity.envs.CheckResult;
import verity.envs.Outcome;

/** How the judge reads a run: only the supervisor's single, nonce-tagged report proves anything. */
class PythonJudgeTest {
  static final String NONCE = "0123456789abcdef0123456789abcdef";
  static final List<String> TESTS =
      List.of("assert f(1) == 1", "assert f(2) == 4", "assert f(3) == 9");
  final PythonJudge judge = new PythonJudge(NONCE, TESTS);

  static String report(String nonce, String facts) {
    return PythonHarness.REPORT_PREFIX + " " + nonce + " " + facts + "\n";
  }

  static CheckPlan.ProgramRun run(int exit, String stdout, boolean timedOut) {
    return new CheckPlan.ProgramRun(exit, stdout, "", timedOut, false, Duration.ofMillis(80));
  }

  CheckResult judge(String facts) {
    return judge.judge(run(0, report(NONCE, facts), false));
  }

  static final String PASSED = "{\"verdict\": \"passed\", \"passed\": 3, \"total\": 3}";

  @Test
  void shouldAcceptOnlyAFullPassReportedWithTheNonce() {
    assertEquals(CheckResult.correct(), judge(PASSED));
  }

  @Test
  void shouldRejectAPassWithTooFewTests() {
    assertEquals(
        Outcome.CRASHED, judge("{\"verdict\": \"passed\", \"passed\": 2, \"total\": 2}").outcome());
  }

  @Test
  void shouldRejectAPassFromARunThatDidNotExitCleanly() {
    assertEquals(Outcome.CRASHED, judge.judge(run(137, report(NONCE, PASSED), false)).outcome());
  }

  @Test
  void shouldCallAReportWithAnotherNonceForged() {
    assertEquals(Outcome.VIOLATION, judge.judge(run(0, report("feed", PASSED), false)).outcome());
  }

  @Test
  void shouldCallTwoReportsForged() {
    String twice = report(NONCE, PASSED) + report(NONCE, PASSED);
    assertEquals(Outcome.VIOLATION, judge.judge(run(0, twice, false)).outcome());
  }

  @Test
  void shouldPreferTheDeadlineToAnyReport() {
    assertEquals(Outcome.TIMEOUT, judge.judge(run(0, report(NONCE, PASSED), true)).outcome());
  }

  @Test
  void shouldProveNothingByExitCodeAlone() {
    CheckResult r = judge.judge(run(0, "passed\nOK\n", false));
    assertEquals(Outcome.CRASHED, r.outcome());
    assertEquals("the harness did not report (exit 0)", r.detail());
  }

  @Test
  void shouldNameTheFailingTest() {
    assertEquals(
        CheckResult.wrong("test 2 failed: assert f(2) == 4"),
        judge("{\"verdict\": \"failed\", \"test\": 2, \"passed\": 1, \"total\": 3}"));
  }

  @Test
  void shouldMapRefusedSystemCallsToViolations() {
    assertEquals(
        Outcome.VIOLATION,
        judge("{\"verdict\": \"raised\", \"test\": null, \"type\": \"PermissionError\"}")
            .outcome());
    assertEquals(
        Outcome.VIOLATION,
        judge("{\"verdict\": \"raised\", \"test\": 1, \"type\": \"OSError\", \"errno\": \"EROFS\"}")
            .outcome());
    assertEquals(
        Outcome.VIOLATION,
        judge("{\"verdict\": \"exited\", \"test\": 1, \"signal\": \"SIGXFSZ\"}").outcome());
    assertEquals(
        Outcome.VIOLATION, judge("{\"verdict\": \"tampered\", \"detail\": \"garbled\"}").outcome());
  }

  @Test
  void shouldMapOrdinaryExceptionsToCrashes() {
    CheckResult r =
        judge(
            "{\"verdict\": \"raised\", \"test\": 3, \"type\": \"KeyError\", \"errno\": null,"
                + " \"detail\": \"'x'\"}");
    assertEquals(new CheckResult(0.0, Outcome.CRASHED, "test 3 raised KeyError: 'x'"), r);
    assertEquals(
        Outcome.CRASHED,
        judge("{\"verdict\": \"exited\", \"test\": 1, \"signal\": \"SIGSEGV\"}").outcome());
  }

  @Test
  void shouldMapTheCpuLimitToTimeout() {
    assertEquals(
        Outcome.TIMEOUT,
        judge("{\"verdict\": \"exited\", \"test\": 1, \"signal\": \"SIGXCPU\"}").outcome());
  }

  @Test
  void shouldCallAQuietEarlyExitWrongAndANoisyOneACrash() {
    assertEquals(
        Outcome.WRONG, judge("{\"verdict\": \"exited\", \"test\": null, \"code\": 0}").outcome());
    assertEquals(
        Outcome.CRASHED, judge("{\"verdict\": \"exited\", \"test\": 2, \"code\": 3}").outcome());
  }

  @Test
  void shouldPassOnSyntaxErrorsAsMalformed() {
    assertEquals(
        CheckResult.malformed("SyntaxError: invalid syntax (line 1)"),
        judge(
            "{\"verdict\": \"malformed\", \"detail\": \"SyntaxError: invalid syntax (line 1)\"}"));
  }

  @Test
  void shouldCallAnUnreadableReportACrash() {
    assertEquals(Outcome.CRASHED, judge("{not json").outcome());
  }
}
