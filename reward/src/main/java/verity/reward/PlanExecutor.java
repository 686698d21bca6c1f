package verity.reward;

import verity.envs.CheckPlan;
import verity.envs.CheckResult;

/**
 * Carries out a suite's check plan: a judged plan is its result; a program is run by the {@link
 * ProgramRunner} and judged by the suite. Shared by the verifier actors and {@code verity verify}.
 */
public final class PlanExecutor {
  private final ProgramRunner runner;

  public PlanExecutor(ProgramRunner runner) {
    this.runner = runner;
  }

  /** For suites whose checks are all pure: asking it to run a program is a bug. */
  public static PlanExecutor pureOnly() {
    return new PlanExecutor(
        program -> {
          throw new IllegalStateException("this verifier has no sandbox to run a program in");
        });
  }

  public CheckResult execute(CheckPlan plan) {
    if (plan instanceof CheckPlan.Judged judged) {
      return judged.result();
    }
    CheckPlan.RunProgram run = (CheckPlan.RunProgram) plan;
    return run.judge().judge(runner.run(run.program()));
  }
}
