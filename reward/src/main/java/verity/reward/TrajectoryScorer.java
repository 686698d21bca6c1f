package verity.reward;

import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.envs.CheckResult;
import verity.envs.Suite;
import verity.envs.Task;
import verity.envs.UnknownTaskException;

/**
 * Scores a trajectory with the verifier's own copy of the suite: the task is looked up by id (the
 * worker's prompt is not trusted), the completion text the worker decoded is checked, and the
 * suite's check plan is carried out. A trajectory of another suite or of an unknown task is
 * malformed; a check that throws has crashed. A sandbox that cannot run at all is not the
 * trajectory's fault: {@link ProgramRunner.SandboxUnavailableException} propagates so that the
 * caller retries.
 */
public final class TrajectoryScorer {
  private final Suite suite;
  private final PlanExecutor executor;

  public TrajectoryScorer(Suite suite, PlanExecutor executor) {
    this.suite = suite;
    this.executor = executor;
  }

  /** A verdict and what the check said beyond it (empty when nothing). */
  public record Judgement(Verdict verdict, String detail) {}

  public Verdict verdict(Trajectory t) {
    return judge(t).verdict();
  }

  public Judgement judge(Trajectory t) {
    long started = System.nanoTime();
    CheckResult result = check(t);
    return new Judgement(
        new Verdict(
            result.reward(),
            VerdictMapper.reason(result.outcome()),
            (System.nanoTime() - started) / 1e6),
        result.detail());
  }

  private CheckResult check(Trajectory t) {
    if (!suite.name().equals(t.suite())) {
      return CheckResult.malformed("trajectory of suite " + t.suite() + " sent to " + suite.name());
    }
    Task task;
    try {
      task = suite.lookup(t.task().value());
    } catch (UnknownTaskException e) {
      return CheckResult.malformed(e.getMessage());
    }
    try {
      return executor.execute(suite.plan(task, t.completion()));
    } catch (ProgramRunner.SandboxUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      return new CheckResult(0.0, verity.envs.Outcome.CRASHED, e.toString());
    }
  }
}
