package verity.envs.dsl;

import verity.envs.CheckResult;

/**
 * Judges a dsl-code completion: parses it and runs it on every hidden input in order; the first
 * input it fails decides the verdict (crashed, timeout, violation or wrong, naming the input), and
 * a program that gets them all right is correct. A completion that does not parse is malformed.
 */
final class DslChecker {
  private final DslInterpreter interpreter;
  private final int maxProgramLength;

  DslChecker(DslLimits limits, int maxProgramLength) {
    this.interpreter = new DslInterpreter(limits);
    this.maxProgramLength = maxProgramLength;
  }

  CheckResult check(DslTask task, String completion) {
    DslProgram program;
    try {
      program = DslProgram.parse(completion, maxProgramLength);
    } catch (DslSyntaxException e) {
      return CheckResult.malformed(e.getMessage());
    }
    for (long x : DslExamples.HIDDEN) {
      DslRun run = interpreter.run(program, x);
      if (run instanceof DslRun.Failed f) {
        return new CheckResult(0.0, f.outcome(), "input " + x + ": " + f.reason());
      }
      long got = ((DslRun.Finished) run).value();
      long expected = task.expected(x);
      if (got != expected) {
        return CheckResult.wrong("input " + x + ": expected " + expected + ", got " + got);
      }
    }
    return CheckResult.correct();
  }
}
