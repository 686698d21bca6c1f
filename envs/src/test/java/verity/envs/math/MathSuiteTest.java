package verity.envs.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.envs.MalformedTaskException;
import verity.envs.Outcome;
import verity.envs.Split;
import verity.envs.SplitChecks;
import verity.envs.Suites;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.envs.UnknownTaskException;
import verity.envs.arith.ArithmeticSuite;
import verity.envs.jsonl.JsonlRecords;

class MathSuiteTest {
  static final MathSuite SHIPPED = MathSuite.shipped();

  @TempDir Path dir;

  Path file(String... lines) throws IOException {
    Path f = dir.resolve("tasks.jsonl");
    Files.write(f, List.of(lines));
    return f;
  }

  MalformedTaskException loadFails(String... lines) throws IOException {
    Path f = file(lines);
    return assertThrows(MalformedTaskException.class, () -> MathSuite.load(f));
  }

  static final String GOOD = "{\"id\": \"a\", \"prompt\": \"1+1?\", \"answer\": \"2\"}";

  @Test
  void shouldBeRegisteredAsMath() {
    assertEquals("math", Suites.byName("math").name());
  }

  @Test
  void shouldHoldOutDisjointValidationAndTestSplits() {
    SplitChecks.assertHeldOutAndDisjoint(SHIPPED);
    SplitChecks.assertGeneratorDrawsOnlyTraining(SHIPPED, 5000);
  }

  @Test
  void shouldHoldOutWholeTemplates() {
    Map<String, Split> splitOfTemplate = new HashMap<>();
    for (Split s : Split.values()) {
      for (Task t : SHIPPED.split(s).tasks()) {
        Split before = splitOfTemplate.putIfAbsent(SHIPPED.templateOf(t.id()), s);
        assertTrue(
            before == null || before == s,
            "template " + SHIPPED.templateOf(t.id()) + " is in " + before + " and " + s);
      }
    }
    assertEquals(16, splitOfTemplate.size());
    assertEquals(2, splitOfTemplate.values().stream().filter(s -> s == Split.VALIDATION).count());
    assertEquals(2, splitOfTemplate.values().stream().filter(s -> s == Split.TEST).count());
  }

  @Test
  void shouldDropARepeatedPromptFromEverySplit() {
    MathTask first = (MathTask) SHIPPED.lookup("math-0146");
    MathTask repeat = (MathTask) SHIPPED.lookup("math-0354");
    assertEquals(first.prompt(), repeat.prompt());
    Set<String> prompts = new HashSet<>();
    int tasks = 0;
    for (Split s : Split.values()) {
      for (Task t : SHIPPED.split(s).tasks()) {
        prompts.add(MathSuite.normalise(t.prompt()));
        tasks++;
      }
    }
    assertEquals(tasks, prompts.size(), "no normalised prompt in two tasks");
    assertEquals(400 - SHIPPED.duplicates(), tasks);
    assertTrue(SHIPPED.duplicates() >= 1);
    assertFalse(
        SplitChecks.ids(SHIPPED, Split.TRAIN).contains("math-0354")
            || SplitChecks.ids(SHIPPED, Split.VALIDATION).contains("math-0354")
            || SplitChecks.ids(SHIPPED, Split.TEST).contains("math-0354"));
  }

  @Test
  void shouldCompareNormalisedPromptsAndDeriveTemplatesWithoutNumbers() {
    assertEquals("what is 3 + 4?", MathSuite.normalise("  What is\t3 +  4? "));
    assertEquals(
        MathSuite.derivedTemplate("What is 1,250 + -3.5?"),
        MathSuite.derivedTemplate("what is 7 + 12?"));
    assertFalse(
        MathSuite.derivedTemplate("Ana has 3 apples.")
            .equals(MathSuite.derivedTemplate("Ben has 3 apples.")));
  }

  @Test
  void shouldSplitAUsersFileByDerivedTemplatesAndDropRepeats() throws IOException {
    List<String> lines = new ArrayList<>();
    String[] shapes = {
      "What is %d + %d?", "Compute %d - %d.", "What is %d * %d?", "Halve %d then add %d."
    };
    int id = 0;
    for (String shape : shapes) {
      for (int i = 1; i <= 5; i++) {
        lines.add(
            String.format(
                "{\"id\": \"p%d\", \"prompt\": \"%s\", \"answer\": \"1\"}",
                ++id, String.format(shape, i, i + 1)));
      }
    }
    lines.add("{\"id\": \"again\", \"prompt\": \"  what IS 1 + 2? \", \"answer\": \"1\"}");
    MathSuite s = MathSuite.load(file(lines.toArray(String[]::new)));
    SplitChecks.assertHeldOutAndDisjoint(s);
    assertEquals(1, s.duplicates());
    assertEquals(s.templateOf("p1"), s.templateOf("p5"));
    assertEquals(5, s.split(Split.VALIDATION).tasks().size());
    assertEquals(5, s.split(Split.TEST).tasks().size());
    assertEquals(10, s.split(Split.TRAIN).tasks().size());
  }

  @Test
  void shouldGenerateTheSameStreamFromTheSameSeed() {
    TaskGenerator a = SHIPPED.generator(3);
    TaskGenerator b = SHIPPED.generator(3);
    for (int i = 0; i < 50; i++) {
      assertEquals(a.next().id(), b.next().id());
    }
  }

  @Test
  void shouldAgreeWithItsOwnDemonstrations() {
    for (Task t : SHIPPED.split(Split.TEST).tasks()) {
      String text = SHIPPED.demonstration(t).orElseThrow();
      assertEquals(Outcome.CORRECT, SHIPPED.check(t, text).outcome(), t.id() + ": " + text);
    }
  }

  @Test
  void shouldUseTheQuestionOfTheRecordAsThePromptText() {
    Task t = SHIPPED.lookup("math-0001");
    Object question =
        JsonlRecords.readResource(MathSuite.SHIPPED).stream()
            .map(JsonlRecords.Line::record)
            .filter(r -> "math-0001".equals(r.get("id")))
            .findFirst()
            .orElseThrow()
            .get("prompt");
    assertEquals(question, t.prompt());
    assertEquals("#### " + ((MathTask) t).answer(), SHIPPED.demonstration(t).orElseThrow());
  }

  @Test
  void shouldReadATaskRecordOrAnIdOfItsOwnFile() {
    Task t = SHIPPED.taskFromRecord(Map.of("id", "x", "prompt", "2*3?", "answer", 6));
    assertEquals(Outcome.CORRECT, SHIPPED.check(t, "#### 6").outcome());
    Task half = SHIPPED.taskFromRecord(Map.of("id", "y", "prompt", "1/2?", "answer", 0.5));
    assertEquals(Outcome.CORRECT, SHIPPED.check(half, "1/2").outcome());
    assertEquals("math-0002", SHIPPED.taskFromRecord(Map.of("id", "math-0002")).id());
    assertThrows(MalformedTaskException.class, () -> SHIPPED.taskFromRecord(Map.of("id", "nope")));
  }

  @Test
  void shouldRefuseATaskRecordWithABadAnswer() {
    MalformedTaskException e =
        assertThrows(
            MalformedTaskException.class,
            () -> SHIPPED.taskFromRecord(Map.of("id", "x", "prompt", "?", "answer", "many")));
    assertTrue(e.getMessage().contains("\"answer\" is not a number: 'many'"), e.getMessage());
  }

  @Test
  void shouldRefuseToCheckAnotherSuitesTask() {
    Task arith = ArithmeticSuite.singleDigit().lookup("1+2");
    assertThrows(IllegalArgumentException.class, () -> SHIPPED.plan(arith, "3"));
  }

  @Test
  void shouldRefuseAnUnknownId() {
    assertThrows(UnknownTaskException.class, () -> SHIPPED.lookup("math-9999"));
  }

  @Test
  void shouldLoadAUsersFileSkippingBlankLines() throws IOException {
    MathSuite s =
        MathSuite.load(
            file(GOOD, "", "{\"id\": \"b\", \"prompt\": \"Half of 3?\", \"answer\": \"3/2\"}"));
    assertEquals(Outcome.CORRECT, s.check(s.lookup("b"), "#### 1.5").outcome());
  }

  @Test
  void shouldTrainAndEvaluateOnEverythingLabelledTrainWhenAFileIsTooSmallToSplit()
      throws IOException {
    MathSuite s = MathSuite.load(file(GOOD));
    assertEquals(Split.TRAIN, s.split(Split.TEST).split());
    assertEquals(Split.TRAIN, s.split(Split.VALIDATION).split());
    assertEquals("a", s.split(Split.TEST).tasks().get(0).id());
    assertEquals("a", s.generator(1).next().id());
  }

  @Test
  void shouldNameTheLineThatIsNotJson() throws IOException {
    MalformedTaskException e = loadFails(GOOD, "", "{\"id\": ");
    assertTrue(e.getMessage().contains("tasks.jsonl:3: not a JSON object"), e.getMessage());
  }

  @Test
  void shouldNameTheLineAndTheMissingField() throws IOException {
    MalformedTaskException e = loadFails(GOOD, "{\"id\": \"b\", \"prompt\": \"1+2?\"}");
    assertTrue(
        e.getMessage().contains("tasks.jsonl:2: field \"answer\" must be a string or a number"),
        e.getMessage());
  }

  @Test
  void shouldNameTheLineWithAnAnswerThatIsNotANumber() throws IOException {
    MalformedTaskException e =
        loadFails("{\"id\": \"b\", \"prompt\": \"1+2?\", \"answer\": \"three\"}");
    assertTrue(e.getMessage().startsWith(dir.resolve("tasks.jsonl") + ":1: field \"answer\""));
    assertTrue(e.getMessage().contains("'three'"), e.getMessage());
  }

  @Test
  void shouldNameACharacterOutsideTheVocabulary() throws IOException {
    MalformedTaskException e =
        loadFails("{\"id\": \"b\", \"prompt\": \"5 \\u20ac + 1 \\u20ac?\", \"answer\": \"6\"}");
    assertTrue(
        e.getMessage().contains(":1: field \"prompt\" has character U+20AC at position 3"),
        e.getMessage());
  }

  @Test
  void shouldRefuseAPromptLongerThanTheSuiteTakes() throws IOException {
    String prompt = "x".repeat(MathSuite.MAX_QUESTION_CHARS + 1);
    MalformedTaskException e =
        loadFails("{\"id\": \"b\", \"prompt\": \"" + prompt + "\", \"answer\": \"6\"}");
    assertTrue(e.getMessage().contains(":1: field \"prompt\" must have 1 to 255"), e.getMessage());
  }

  @Test
  void shouldRefuseADuplicateIdNamingBothLines() throws IOException {
    MalformedTaskException e = loadFails(GOOD, GOOD);
    assertTrue(e.getMessage().contains(":2: duplicate id 'a' (first on line 1)"), e.getMessage());
  }

  @Test
  void shouldRefuseAFileWithoutTasks() throws IOException {
    MalformedTaskException e = loadFails("", "  ");
    assertTrue(e.getMessage().endsWith(": no tasks"), e.getMessage());
  }
}
