package verity.envs.python;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import verity.envs.CheckPlan;
import verity.envs.CheckResult;
import verity.envs.Outcome;

/**
 * Reads the supervisor's report from a sandboxed run and says what it proves. Only a single report
 * line carrying this run's nonce counts, and only a report that every test passed, from a run that
 * exited cleanly in time, is {@code correct}; anything else is a failure of some kind.
 */
final class PythonJudge implements CheckPlan.ProgramJudge {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Exceptions that mean the sandbox refused something (a write, a connection, a resource). */
  private static final Set<String> FORBIDDEN_TYPES =
      Set.of(
          "PermissionError",
          "MemoryError",
          "ConnectionError",
          "ConnectionRefusedError",
          "ConnectionResetError",
          "ConnectionAbortedError",
          "gaierror",
          "herror");

  /** The errno names of a refused system call, whatever exception carried them. */
  private static final Set<String> FORBIDDEN_ERRNOS =
      Set.of(
          "EPERM",
          "EACCES",
          "EROFS",
          "EFBIG",
          "ENOSPC",
          "EMFILE",
          "ENFILE",
          "EAGAIN",
          "ENETUNREACH",
          "EHOSTUNREACH",
          "ECONNREFUSED",
          "EAFNOSUPPORT",
          "EADDRNOTAVAIL");

  /** Signals from the CPU-time limit (soft, then hard). */
  private static final Set<String> CPU_SIGNALS = Set.of("SIGXCPU", "SIGKILL");

  /** Signals from limits or filters the sandbox sets. */
  private static final Set<String> FORBIDDEN_SIGNALS = Set.of("SIGXFSZ", "SIGSYS");

  private final String nonce;
  private final List<String> tests;

  PythonJudge(String nonce, List<String> tests) {
    this.nonce = nonce;
    this.tests = List.copyOf(tests);
  }

  @Override
  public CheckResult judge(CheckPlan.ProgramRun run) {
    if (run.timedOut()) {
      return result(Outcome.TIMEOUT, "ran past " + run.elapsed().toMillis() + " ms");
    }
    List<String> reports = new ArrayList<>();
    for (String line : run.stdout().split("\n", -1)) {
      if (line.startsWith(PythonHarness.REPORT_PREFIX + " ")) {
        reports.add(line.substring(PythonHarness.REPORT_PREFIX.length() + 1));
      }
    }
    if (reports.isEmpty()) {
      return result(
          Outcome.CRASHED,
          "the harness did not report (exit " + run.exitCode() + ")" + lastLine(run.stderr()));
    }
    if (reports.size() > 1 || !reports.get(0).startsWith(nonce + " ")) {
      return result(Outcome.VIOLATION, "a forged harness report");
    }
    JsonNode facts;
    try {
      facts = JSON.readTree(reports.get(0).substring(nonce.length() + 1));
    } catch (JsonProcessingException e) {
      return result(Outcome.CRASHED, "an unreadable harness report");
    }
    return fromFacts(facts, run.exitCode());
  }

  private CheckResult fromFacts(JsonNode facts, int exitCode) {
    String verdict = facts.path("verdict").asText();
    String test = describe(facts.path("test"));
    String detail = facts.path("detail").asText("");
    switch (verdict) {
      case "passed":
        if (exitCode == 0
            && facts.path("passed").asInt(-1) == tests.size()
            && facts.path("total").asInt(-1) == tests.size()) {
          return CheckResult.correct();
        }
        return result(Outcome.CRASHED, "an inconsistent harness report (exit " + exitCode + ")");
      case "failed":
        return result(Outcome.WRONG, test + " failed: " + testText(facts.path("test")));
      case "opaque":
        return result(
            Outcome.WRONG,
            test + ": the answer is " + facts.path("type").asText() + ", not plain data");
      case "malformed":
        return result(Outcome.MALFORMED, detail);
      case "raised":
        return raised(facts, test, detail);
      case "exited":
        return exited(facts, test);
      case "tampered":
        return result(Outcome.VIOLATION, test + ": " + detail);
      default:
        return result(Outcome.CRASHED, "harness: " + detail);
    }
  }

  private static CheckResult raised(JsonNode facts, String test, String detail) {
    String type = facts.path("type").asText();
    String errno = facts.path("errno").asText("");
    boolean forbidden = FORBIDDEN_TYPES.contains(type) || FORBIDDEN_ERRNOS.contains(errno);
    return result(
        forbidden ? Outcome.VIOLATION : Outcome.CRASHED,
        test + " raised " + type + (detail.isEmpty() ? "" : ": " + detail));
  }

  private static CheckResult exited(JsonNode facts, String test) {
    String where = " before " + test + " finished";
    if (facts.hasNonNull("signal")) {
      String signal = facts.path("signal").asText();
      Outcome outcome =
          CPU_SIGNALS.contains(signal)
              ? Outcome.TIMEOUT
              : FORBIDDEN_SIGNALS.contains(signal) ? Outcome.VIOLATION : Outcome.CRASHED;
      return result(outcome, "killed by " + signal + where);
    }
    int code = facts.path("code").asInt(1);
    return result(code == 0 ? Outcome.WRONG : Outcome.CRASHED, "exited with " + code + where);
  }

  /** "test 3", or "the code" for the candidate's own top level. */
  private static String describe(JsonNode test) {
    return test.isIntegralNumber() ? "test " + test.asInt() : "the code";
  }

  private String testText(JsonNode test) {
    int i = test.asInt(0);
    return i >= 1 && i <= tests.size() ? tests.get(i - 1) : "?";
  }

  private static String lastLine(String text) {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return "";
    }
    String last = trimmed.substring(trimmed.lastIndexOf('\n') + 1);
    return ": " + (last.length() > 200 ? last.substring(0, 200) : last);
  }

  private static CheckResult result(Outcome outcome, String detail) {
    return new CheckResult(outcome == Outcome.CORRECT ? 1.0 : 0.0, outcome, detail);
  }
}
