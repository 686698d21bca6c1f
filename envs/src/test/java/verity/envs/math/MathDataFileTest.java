package verity.envs.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import verity.envs.Task;

/** The shipped problems are the generator's output, and every one fits the suite's limits. */
class MathDataFileTest {

  static String shipped() throws IOException {
    try (InputStream in = MathSuite.class.getClassLoader().getResourceAsStream(MathSuite.SHIPPED)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldShipExactlyWhatTheGeneratorWrites() throws IOException {
    assertEquals(
        MathDataGenerator.generate(MathDataGenerator.SEED),
        shipped(),
        "regenerate the file as the MathDataGenerator Javadoc says");
  }

  @Test
  void shouldShipSomeHundredsOfProblemsWithVariedAnswerForms() throws IOException {
    MathSuite suite = MathSuite.shipped();
    Set<String> forms = new HashSet<>();
    int count = 0;
    for (String line : shipped().split("\n")) {
      Task t = suite.lookup(line.substring(7, line.indexOf('"', 7)));
      String answer = ((MathTask) t).answer();
      count++;
      if (answer.startsWith("-")) {
        forms.add("negative");
      }
      if (answer.contains(".")) {
        forms.add("decimal");
      }
      if (answer.contains("/") && !answer.contains("km/h")) {
        forms.add("fraction");
      }
      if (answer.endsWith("%")) {
        forms.add("percentage");
      }
      if (answer.startsWith("$") && answer.contains(",")) {
        forms.add("money with thousands");
      }
      if (answer.matches(".*\\d [a-z/]+")) {
        forms.add("unit");
      }
    }
    assertEquals(400, count);
    assertEquals(
        Set.of("negative", "decimal", "fraction", "percentage", "money with thousands", "unit"),
        forms);
  }

  @Test
  void shouldFitEveryProblemInThePromptAndCompletionLimits() {
    MathSuite suite = MathSuite.shipped();
    int longest = 0;
    for (int i = 1; i <= 400; i++) {
      Task t = suite.lookup(String.format(java.util.Locale.ROOT, "math-%04d", i));
      longest = Math.max(longest, t.prompt().length());
      assertTrue(suite.demonstration(t).orElseThrow().length() + 1 <= suite.maxCompletionTokens());
    }
    assertTrue(longest + 1 <= suite.maxPromptTokens(), "longest prompt " + longest);
  }
}
