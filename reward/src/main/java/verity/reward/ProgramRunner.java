package verity.reward;

import verity.envs.CheckPlan;

/**
 * Runs an untrusted program under its limits and reports what it did. The production runner is a
 * bubblewrap sandbox ({@code verity.reward.sandbox}); the runner must never let the program touch
 * the host, and must return (never hang) within the program's wall-clock limit plus a small margin.
 */
public interface ProgramRunner {

  /**
   * @throws SandboxUnavailableException when the sandbox itself cannot run (an infrastructure
   *     failure: retried and counted by the circuit breaker, never blamed on the program)
   */
  CheckPlan.ProgramRun run(CheckPlan.Program program);

  /** The sandbox could not run a program at all; the program is not at fault. */
  final class SandboxUnavailableException extends RuntimeException {
    public SandboxUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
