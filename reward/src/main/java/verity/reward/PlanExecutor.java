package verity.reward;

import com.typesafe.config.Config;
import verity.envs.CheckPlan;
import verity.envs.CheckResult;
import verity.envs.Suite;
import verity.reward.sandbox.BubblewrapSandbox;
import verity.reward.sandbox.SandboxSettings;

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

  /**
   * The executor a suite needs: pure for suites whose checks never run code, a bubblewrap sandbox
   * (checked to really start here) for suites that run programs. Never an unsandboxed run.
   *
   * @throws ProgramRunner.SandboxUnavailableException naming what is missing when the suite runs
   *     programs and no sandbox can start on this host
   */
  public static PlanExecutor forSuite(Suite suite, Config config) {
    if (!suite.runsPrograms()) {
      return pureOnly();
    }
    BubblewrapSandbox sandbox = new BubblewrapSandbox(SandboxSettings.from(config));
    sandbox.requireAvailable();
    return new PlanExecutor(sandbox);
  }

  public CheckResult execute(CheckPlan plan) {
    if (plan instanceof CheckPlan.Judged judged) {
      return judged.result();
    }
    CheckPlan.RunProgram run = (CheckPlan.RunProgram) plan;
    return run.judge().judge(runner.run(run.program()));
  }
}
