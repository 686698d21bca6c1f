package verity.envs.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AnswerExtractorTest {

  static String found(String completion) {
    return AnswerExtractor.extract(completion).orElseThrow().text();
  }

  static String rule(String completion) {
    return AnswerExtractor.extract(completion).orElseThrow().rule();
  }

  @Test
  void shouldTakeTheRestOfTheLineAfterTheLastHashes() {
    assertEquals("1,234", found("3 + 4 = 7\n#### 1,234\nthanks"));
    assertEquals("9", found("#### 8\nno wait\n#### 9"));
    assertEquals("####", rule("#### 9"));
  }

  @Test
  void shouldTakeTheContentsOfTheLastBoxWithNestedBraces() {
    assertEquals("\\frac{3}{4}", found("so \\boxed{1} or rather $\\boxed{\\frac{3}{4}}$."));
    assertEquals("{5}", found("\\boxed{{5}}"));
    assertEquals("\\boxed", rule("\\boxed{5}"));
  }

  @Test
  void shouldRefuseABoxThatIsNeverClosed() {
    assertThrows(IllegalArgumentException.class, () -> AnswerExtractor.extract("\\boxed{5"));
  }

  @Test
  void shouldTakeTheSentenceAfterTheAnswerIsInAnyCase() {
    assertEquals("42", found("The answer is 42."));
    assertEquals("42", found("so THE ANSWER IS 42"));
    assertEquals("$12.50", found("The final answer is: $12.50. Done."));
    assertEquals("5", found("The answer is 5, because 2 + 3 = 5."));
    assertEquals("7", found("the answer is 6? No, the answer is 7"));
    assertEquals("1,234", found("The answer is 1,234."));
    assertEquals("0.5", found("The answer is 0.5\nsince half of 1 is 0.5"));
  }

  @Test
  void shouldFallBackToTheLastNumberInTheText() {
    assertEquals("7", found("first 3, then 7 apples"));
    assertEquals("3/4", found("she eats 3/4 of it"));
    assertEquals("50%", found("it is 50% of the class"));
    assertEquals("-3", found("so x = -3"));
    assertEquals("5", found("10-5=5"));
    assertEquals("1.5", found("it takes 1.5 hours"));
    assertEquals("$12.00", found("she pays $12.00 in total"));
    assertEquals("-\\frac{1}{2}", found("we get -\\frac{1}{2} here"));
    assertEquals("last number", rule("7"));
  }

  @Test
  void shouldNotReadACommaListAsOneNumber() {
    assertEquals("2", found("the pair 1,2"));
    assertEquals("1,234", found("about 1,234 people"));
  }

  @Test
  void shouldPreferHashesToABoxAndABoxToTheAnswerIs() {
    assertEquals("5", found("#### 5\nThe answer is \\boxed{6}"));
    assertEquals("6", found("The answer is \\boxed{6}. Or 7."));
  }

  @Test
  void shouldFindNothingInTextWithoutANumber() {
    assertTrue(AnswerExtractor.extract("I do not know.").isEmpty());
    assertTrue(AnswerExtractor.extract("").isEmpty());
  }
}
