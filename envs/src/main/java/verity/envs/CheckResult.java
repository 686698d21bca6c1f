package verity.envs;

/** What a suite's pure check says of one completion. */
public record CheckResult(double reward, Outcome outcome) {
  public static CheckResult correct() {
    return new CheckResult(1.0, Outcome.CORRECT);
  }

  public static CheckResult wrong() {
    return new CheckResult(0.0, Outcome.WRONG);
  }

  public static CheckResult malformed() {
    return new CheckResult(0.0, Outcome.MALFORMED);
  }
}
