package verity.envs.math;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import verity.envs.CheckResult;

/** The equivalence table: a reference answer, an answer after {@code ####}, and the outcome. */
class MathEquivalenceTest {

  @ParameterizedTest(name = "reference {0}, answer {1}: {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
          42           | 42                  | correct
          42           | 42.0                | correct
          42           | 042                 | correct
          42           | +42                 | correct
          42           | 43                  | wrong
          42           | 4.2                 | wrong
          -7           | -7                  | correct
          -7           | \u22127             | correct
          -7           | 7                   | wrong
          0            | -0                  | correct
          0            | 0.00                | correct
          0.5          | .5                  | correct
          0.5          | 0.50                | correct
          0.5          | 1/2                 | correct
          0.5          | 0.05                | wrong
          3/4          | 0.75                | correct
          3/4          | 6/8                 | correct
          3/4          | 3 / 4               | correct
          3/4          | \\frac{3}{4}        | correct
          3/4          | \\dfrac{3}{4}       | correct
          3/4          | 0.7                 | wrong
          3/4          | 4/3                 | wrong
          -1/2         | -0.5                | correct
          -1/2         | \\frac{-1}{2}       | correct
          -1/2         | -\\frac{1}{2}       | correct
          -1/2         | 1/2                 | wrong
          1/3          | 2/6                 | correct
          1/3          | 0.333               | wrong
          3/2          | 1 1/2               | correct
          3/2          | 1.5                 | correct
          3/2          | 1 3/2               | malformed
          50%          | 50%                 | correct
          50%          | 50                  | correct
          50%          | 0.5                 | correct
          50%          | 1/2                 | correct
          50%          | 50 percent          | correct
          50%          | 50\\%               | correct
          50%          | 0.5%                | wrong
          50           | 50%                 | correct
          0.5          | 50%                 | wrong
          12.5%        | 0.125               | correct
          12.5%        | 12.5                | correct
          1234         | 1,234               | correct
          "1,234"      | 1234                | correct
          1234567      | "1,234,567"         | correct
          1234567      | "1,234,567.00"      | correct
          12           | "1,2"               | malformed
          1234         | "12,34"             | malformed
          1234         | "1234,567"          | malformed
          12           | $12                 | correct
          $12          | 12                  | correct
          12           | $12.00              | correct
          12           | 12 dollars          | correct
          12           | 12.00 USD           | correct
          12           | 12 cm               | correct
          12           | 12cm                | correct
          12           | 12 m                | correct
          12           | 13 cm               | wrong
          225 cm       | 225                 | correct
          80 km/h      | 80                  | correct
          80           | 80 km/h             | correct
          20           | 20 square meters    | correct
          "$1,234.50"  | 1234.5              | correct
          "$1,234.50"  | "$1,234.05"         | wrong
          -5           | -$5                 | correct
          -5           | $-5                 | correct
          -5           | -$-5                | malformed
          2000000      | 2 million           | correct
          1500         | 1.5 thousand        | correct
          5000         | 5k                  | malformed
          5000000      | $5m                 | malformed
          50           | 50 cents            | malformed
          12           | 12 x                | malformed
          100          | 1e2                 | malformed
          12           | x = 12              | correct
          12           | \\boxed{12}         | correct
          12           | $12$                | correct
          12           | **12**              | correct
          12           | 12.                 | correct
          12           | \\text{12 cm}       | correct
          90           | 90^\\circ           | correct
          12           | twelve              | malformed
          12           | 1/0                 | malformed
          12           | 12 - 3              | malformed
          """)
  void shouldJudgeAnAnswerAgainstTheReference(String reference, String answer, String outcome) {
    CheckResult r = MathVerifier.check(MathAnswer.parse(reference), "#### " + answer);
    assertEquals(outcome, r.outcome().label(), r.detail());
  }
}
