package verity.deploy.verify;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.math.BigDecimal;
import java.time.Duration;
import verity.envs.CheckResult;
import verity.envs.Outcome;

/**
 * One line of a {@code verify} output: the input line number, the task id (null when the task could
 * not be read), the verdict label, the reward, the reason and the time the check took.
 */
@JsonPropertyOrder({"line", "id", "verdict", "reward", "reason", "millis"})
record VerifyResult(
    int line, String id, String verdict, double reward, String reason, double millis) {

  static VerifyResult checked(VerifyInput.Check c, CheckResult r, long nanos) {
    return new VerifyResult(
        c.number(), c.task().id(), r.outcome().label(), r.reward(), r.detail(), millis(nanos));
  }

  /** No check ran: the line could not be read. */
  static VerifyResult rejected(VerifyInput.Rejected r) {
    return new VerifyResult(r.number(), r.taskId(), Outcome.MALFORMED.label(), 0.0, r.reason(), 0);
  }

  static VerifyResult timedOut(VerifyInput.Check c, Duration deadline, long nanos) {
    return new VerifyResult(
        c.number(),
        c.task().id(),
        Outcome.TIMEOUT.label(),
        0.0,
        "the check ran past the "
            + BigDecimal.valueOf(deadline.toMillis(), 3).stripTrailingZeros().toPlainString()
            + " s deadline",
        millis(nanos));
  }

  /** The check itself failed on this input (a bug in the suite, not the completion's fault). */
  static VerifyResult crashed(VerifyInput.Check c, Throwable cause, long nanos) {
    return new VerifyResult(
        c.number(),
        c.task().id(),
        Outcome.CRASHED.label(),
        0.0,
        "the check failed: " + cause,
        millis(nanos));
  }

  /** Milliseconds to the microsecond: pure checks take well under one. */
  private static double millis(long nanos) {
    return Math.round(nanos / 1e3) / 1e3;
  }
}
