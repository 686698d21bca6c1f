package verity.envs.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import verity.envs.CheckResult;
import verity.envs.Outcome;

class MathVerifierTest {

  static CheckResult check(String reference, String completion) {
    return MathVerifier.check(MathAnswer.parse(reference), completion);
  }

  @Test
  void shouldRewardACorrectAnswerInEachForm() {
    assertEquals(CheckResult.correct(), check("42", "#### 42"));
    assertEquals(CheckResult.correct(), check("3/4", "\\boxed{\\frac{3}{4}}"));
    assertEquals(CheckResult.correct(), check("-12", "The answer is -12."));
    assertEquals(CheckResult.correct(), check("$1,234.50", "It costs $1,234.50 in total."));
  }

  @Test
  void shouldSayWhatWasExpectedWhenWrong() {
    CheckResult r = check("3/4", "#### 0.7");
    assertEquals(0.0, r.reward());
    assertEquals(Outcome.WRONG, r.outcome());
    assertEquals("expected 3/4, got 0.7", r.detail());
  }

  @Test
  void shouldCallACompletionWithoutANumberMalformed() {
    CheckResult r = check("42", "I cannot tell.");
    assertEquals(Outcome.MALFORMED, r.outcome());
    assertEquals("no number in the completion", r.detail());
  }

  @Test
  void shouldNameTheRuleAndTheTextItCouldNotRead() {
    CheckResult r = check("42", "#### forty-two");
    assertEquals(Outcome.MALFORMED, r.outcome());
    assertTrue(r.detail().contains("'forty-two' (####)"), r.detail());
  }

  @Test
  void shouldCallAnUnclosedBoxMalformed() {
    CheckResult r = check("42", "\\boxed{42");
    assertEquals(Outcome.MALFORMED, r.outcome());
    assertTrue(r.detail().contains("never closed"), r.detail());
  }

  @Test
  void shouldNotLetAMarkerWithABadAnswerFallBackToAnEarlierNumber() {
    assertEquals(Outcome.MALFORMED, check("42", "42 is tempting\n#### many").outcome());
  }

  @Test
  void shouldRefuseAnswerTextTooLongToBeAnAnswer() {
    CheckResult r = check("1", "#### 1" + " cm".repeat(100));
    assertEquals(Outcome.MALFORMED, r.outcome());
    assertTrue(r.detail().contains("longer than"), r.detail());
  }

  @Test
  void shouldShortenALongAnswerInTheDetail() {
    CheckResult r = check("1", "#### 2 " + "x".repeat(60));
    assertTrue(r.detail().length() < 120, r.detail());
  }
}
