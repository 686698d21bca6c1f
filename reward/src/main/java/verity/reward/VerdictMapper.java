package verity.reward;

import verity.actors.protocol.Verdict;
import verity.envs.Outcome;

/** Turns a suite's check result (plain Java) into the verdict that travels between roles. */
final class VerdictMapper {
  private VerdictMapper() {}

  static Verdict.Reason reason(Outcome o) {
    return switch (o) {
      case CORRECT -> Verdict.Reason.CORRECT;
      case WRONG -> Verdict.Reason.WRONG;
      case TIMEOUT -> Verdict.Reason.TIMEOUT;
      case CRASHED -> Verdict.Reason.CRASHED;
      case MALFORMED -> Verdict.Reason.MALFORMED;
      case VIOLATION -> Verdict.Reason.VIOLATION;
    };
  }
}
