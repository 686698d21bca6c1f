package verity.envs;

/**
 * What a check says of one completion: the reward, why, and a short human-readable detail (empty
 * when there is nothing to add) such as which test failed or what could not be parsed.
 */
public record CheckResult(double reward, Outcome outcome, String detail) {

  public CheckResult {
    detail = detail == null ? "" : detail;
  }

  public CheckResult(double reward, Outcome outcome) {
    this(reward, outcome, "");
  }

  public static CheckResult correct() {
    return new CheckResult(1.0, Outcome.CORRECT);
  }

  public static CheckResult wrong() {
    return new CheckResult(0.0, Outcome.WRONG);
  }

  public static CheckResult wrong(String detail) {
    return new CheckResult(0.0, Outcome.WRONG, detail);
  }

  public static CheckResult malformed() {
    return new CheckResult(0.0, Outcome.MALFORMED);
  }

  public static CheckResult malformed(String detail) {
    return new CheckResult(0.0, Outcome.MALFORMED, detail);
  }
}
