package verity.envs;

import java.time.Duration;

/**
 * How a completion is to be verified. A pure suite judges it at once ({@link Judged}); a suite
 * whose check runs untrusted code says what to run and how to judge the run ({@link RunProgram}),
 * and the {@code reward} module runs it in a sandbox. The suite never runs untrusted code itself.
 */
public sealed interface CheckPlan {

  /** The verdict, already known. */
  record Judged(CheckResult result) implements CheckPlan {}

  /** Run {@code program} in a sandbox, then let {@code judge} read the run. */
  record RunProgram(Program program, ProgramJudge judge) implements CheckPlan {}

  /**
   * A program and the limits it runs under.
   *
   * @param interpreter the interpreter to run it with, e.g. {@code python3}
   * @param source the whole program text
   */
  record Program(String interpreter, String source, Limits limits) {}

  /**
   * Resource limits for one run.
   *
   * @param wallClock the deadline: past it the whole process group is killed and the verdict is
   *     {@code timeout}
   * @param cpu CPU-time limit (RLIMIT_CPU)
   * @param addressSpaceBytes address-space limit (RLIMIT_AS)
   * @param processes process limit (RLIMIT_NPROC)
   * @param fileBytes largest file the program may write (RLIMIT_FSIZE)
   * @param outputBytes stdout and stderr beyond this are cut off and the run flagged
   */
  record Limits(
      Duration wallClock,
      Duration cpu,
      long addressSpaceBytes,
      int processes,
      long fileBytes,
      int outputBytes) {}

  /** What a sandboxed run did. */
  record ProgramRun(
      int exitCode,
      String stdout,
      String stderr,
      boolean timedOut,
      boolean outputTruncated,
      Duration elapsed) {}

  /** Reads a run and says what it proves. */
  @FunctionalInterface
  interface ProgramJudge {
    CheckResult judge(ProgramRun run);
  }
}
