package verity.envs.math;

import java.util.Optional;
import verity.envs.CheckResult;

/**
 * Checks a completion against a math task's answer: extracts the final answer, reads it exactly and
 * compares it with the reference by the rule of {@link #equivalent}.
 */
final class MathVerifier {
  /** Enough of a bad answer to recognize it in a report. */
  private static final int QUOTE_LENGTH = 40;

  private MathVerifier() {}

  /** Verifies {@code completion} against {@code reference}; never throws. */
  static CheckResult check(MathAnswer reference, String completion) {
    Optional<AnswerExtractor.Extracted> found;
    try {
      found = AnswerExtractor.extract(completion);
    } catch (IllegalArgumentException e) {
      return CheckResult.malformed(e.getMessage());
    }
    if (found.isEmpty()) {
      return CheckResult.malformed("no number in the completion");
    }
    AnswerExtractor.Extracted answer = found.get();
    MathAnswer candidate;
    try {
      candidate = MathAnswer.parse(answer.text());
    } catch (NumberFormatException e) {
      return CheckResult.malformed(
          "cannot read '"
              + quote(answer.text())
              + "' ("
              + answer.rule()
              + ") as a number: "
              + e.getMessage());
    }
    if (equivalent(reference, candidate)) {
      return CheckResult.correct();
    }
    return CheckResult.wrong("expected " + reference.text() + ", got " + quote(candidate.text()));
  }

  /**
   * Equal values are equal whatever their notation ({@code 0.75} = {@code 3/4} = {@code
   * \frac{3}{4}}, {@code 1,234} = {@code 1234}, {@code $12} = {@code 12 dollars}); units and
   * currency are labels and never converted. A percent sign is a label too ({@code 50%} = {@code
   * 50}), except that a reference written as a percentage also accepts the plain fraction ({@code
   * 0.5} for {@code 50%}); a plain reference {@code 0.5} does not accept {@code 50%}.
   */
  static boolean equivalent(MathAnswer reference, MathAnswer candidate) {
    if (candidate.number().equals(reference.number())) {
      return true;
    }
    return reference.percent()
        && !candidate.percent()
        && candidate.number().multiply(Rational.HUNDRED).equals(reference.number());
  }

  private static String quote(String text) {
    return text.length() <= QUOTE_LENGTH ? text : text.substring(0, QUOTE_LENGTH) + "...";
  }
}
