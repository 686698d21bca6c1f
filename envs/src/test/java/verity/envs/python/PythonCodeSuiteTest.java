package verity.envs.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import verity.envs.CheckPlan;
import verity.envs.MalformedTaskException;
import verity.envs.Outcome;
import verity.envs.Split;
import verity.envs.SplitChecks;
import verity.envs.Suites;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.envs.jsonl.JsonlRecords;

class PythonCodeSuiteTest {
  final PythonCodeSuite suite = PythonCodeSuite.standard();

  @Test
  void shouldBeRegisteredAndRunPrograms() {
    assertEquals("python-code", Suites.byName("python-code").name());
    assertTrue(suite.runsPrograms());
    assertThrows(IllegalStateException.class, () -> suite.check(suite.tasks().get(0), "x = 1"));
  }

  @Test
  void shouldShipTasksWithAtLeastThreeTestsThatFitTheModel() {
    assertTrue(suite.tasks().size() >= 30, "tasks: " + suite.tasks().size());
    for (PythonTask t : suite.tasks()) {
      assertTrue(t.tests().size() >= 3, t.id());
      assertTrue(t.prompt().length() + 1 <= suite.maxPromptTokens(), t.id());
      String demo = suite.demonstration(t).orElseThrow();
      assertTrue(demo.length() + 1 <= suite.maxCompletionTokens(), t.id());
      assertEquals(t.solution(), demo, "the solution alone, without end-of-sequence");
    }
  }

  @Test
  void shouldHoldOutFixedValidationAndTestSetsThatTrainingNeverDraws() {
    SplitChecks.assertHeldOutAndDisjoint(suite);
    for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
      List<String> heldOut = ids(suite.split(s).tasks());
      assertEquals(PythonCodeSuite.HELD_OUT_PER_SPLIT, heldOut.size());
      assertEquals(heldOut, ids(PythonCodeSuite.standard().split(s).tasks()));
      suite.split(s).tasks().forEach(t -> assertEquals(s, suite.splitOf(t)));
    }
    Set<String> drawn = SplitChecks.assertGeneratorDrawsOnlyTraining(suite, 2000);
    assertEquals(suite.tasks().size() - 2 * PythonCodeSuite.HELD_OUT_PER_SPLIT, drawn.size());
  }

  @Test
  void shouldDrawTheSameTrainingStreamForTheSameSeed() {
    TaskGenerator a = suite.generator(3);
    TaskGenerator b = PythonCodeSuite.standard().generator(3);
    for (int i = 0; i < 50; i++) {
      assertEquals(a.next().id(), b.next().id());
    }
  }

  @Test
  void shouldUseThePromptOfTheRecordAsThePromptText() {
    Task t = suite.lookup("add-two");
    assertEquals(97, suite.alphabet().size(), "newline, tab and printable ASCII");
    Object prompt =
        JsonlRecords.readResource(PythonCodeSuite.TASK_FILE).stream()
            .map(JsonlRecords.Line::record)
            .filter(r -> "add-two".equals(r.get("id")))
            .findFirst()
            .orElseThrow()
            .get("prompt");
    assertEquals(prompt, t.prompt());
    assertEquals("", suite.newEnvironment(t).reset(1), "the prompt is the whole first input");
  }

  @Test
  void shouldReadAFullRecordAndLookUpAnIdOnlyRecord() {
    Task t =
        suite.taskFromRecord(
            Map.of(
                "id", "neg", "prompt", "Write neg(x).", "tests", List.of("assert neg(1) == -1")));
    assertEquals("neg", t.id());
    assertEquals(List.of("assert neg(1) == -1"), ((PythonTask) t).tests());
    assertEquals("square", suite.taskFromRecord(Map.of("id", "square")).id());
  }

  @Test
  void shouldNameWhatIsWrongWithABadRecord() {
    assertMalformed(Map.of("prompt", "p", "tests", List.of("assert f()")), "\"id\"", "missing");
    assertMalformed(Map.of("id", "a b", "prompt", "p", "tests", List.of("assert f()")), "\"id\"");
    assertMalformed(Map.of("id", "t", "tests", List.of("assert f()")), "\"prompt\"", "missing");
    assertMalformed(Map.of("id", "t", "prompt", "p"), "\"tests\"", "missing");
    assertMalformed(Map.of("id", "t", "prompt", "p", "tests", "assert f()"), "\"tests\"");
    assertMalformed(Map.of("id", "t", "prompt", "p", "tests", List.of()), "\"tests\"", "1..");
    assertMalformed(Map.of("id", "t", "prompt", "p", "tests", List.of(3)), "\"tests[0]\"");
    assertMalformed(
        Map.of("id", "t", "prompt", "p", "tests", List.of("assert f()", "print(1)")),
        "\"tests[1]\"",
        "assert");
    assertMalformed(
        Map.of("id", "t", "prompt", "p", "tests", List.of("assert f()\nimport os")),
        "\"tests[0]\"",
        "one line");
    assertMalformed(
        Map.of("id", "t", "prompt", "caf\u00e9", "tests", List.of("assert f()")),
        "\"prompt\"",
        "U+00E9");
    assertMalformed(
        Map.of("id", "t", "prompt", "x".repeat(600), "tests", List.of("assert f()")),
        "\"prompt\"",
        "at most 511");
    assertMalformed(Map.of("id", "nope"), "python-code", "nope");
  }

  @Test
  void shouldCallABlankCompletionMalformedWithoutRunningIt() {
    CheckPlan plan = suite.plan(suite.lookup("square"), "  \n");
    assertEquals(Outcome.MALFORMED, ((CheckPlan.Judged) plan).result().outcome());
  }

  @Test
  void shouldPlanARunOfTheHarnessWithTheCandidateTestsAndAFreshNonce() {
    PythonTask t = (PythonTask) suite.lookup("square");
    CheckPlan.RunProgram a = (CheckPlan.RunProgram) suite.plan(t, "def square(n):\n  return n*n\n");
    CheckPlan.RunProgram b = (CheckPlan.RunProgram) suite.plan(t, "def square(n):\n  return n*n\n");
    assertEquals("python3", a.program().interpreter());
    assertEquals(PythonCodeSuite.DEFAULT_LIMITS, a.program().limits());
    Map<String, Object> payload = HarnessPayload.of(a.program());
    assertEquals("def square(n):\n  return n*n\n", payload.get("candidate"));
    assertEquals(t.tests(), payload.get("tests"));
    assertTrue(((String) payload.get("child")).contains("def encode("));
    assertNotEquals(payload.get("nonce"), HarnessPayload.of(b.program()).get("nonce"));
    // The candidate's text travels encoded, never as Python source that could close a literal.
    assertFalse(a.program().source().contains("return n*n"));
  }

  @Test
  void shouldRefuseATaskOfAnotherSuite() {
    Task other = verity.envs.arith.ArithmeticSuite.singleDigit().lookup("1+2");
    assertThrows(IllegalArgumentException.class, () -> suite.plan(other, "x"));
  }

  @Test
  void shouldRejectDuplicateIds() {
    PythonTask t = (PythonTask) suite.lookup("square");
    assertThrows(
        IllegalArgumentException.class,
        () -> new PythonCodeSuite(List.of(t, t), 0, PythonCodeSuite.DEFAULT_LIMITS));
  }

  @Test
  void shouldEvaluateOnTheTrainingSetLabelledTrainWhenNoneIsHeldOut() {
    PythonTask t = (PythonTask) suite.lookup("square");
    PythonCodeSuite all = new PythonCodeSuite(List.of(t), 0, PythonCodeSuite.DEFAULT_LIMITS);
    assertEquals(Split.TRAIN, all.split(Split.TEST).split());
    assertEquals(List.of(t), all.split(Split.TEST).tasks());
  }

  private void assertMalformed(Map<String, Object> record, String... mentions) {
    MalformedTaskException e =
        assertThrows(MalformedTaskException.class, () -> suite.taskFromRecord(record));
    for (String m : mentions) {
      assertTrue(e.getMessage().contains(m), "'" + e.getMessage() + "' lacks '" + m + "'");
    }
  }

  private static List<String> ids(List<Task> tasks) {
    return tasks.stream().map(Task::id).collect(Collectors.toList());
  }
}
