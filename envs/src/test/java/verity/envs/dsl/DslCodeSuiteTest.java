package verity.envs.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import verity.envs.CheckResult;
import verity.envs.MalformedTaskException;
import verity.envs.Outcome;
import verity.envs.Split;
import verity.envs.SplitChecks;
import verity.envs.Suites;
import verity.envs.Task;
import verity.envs.UnknownTaskException;

class DslCodeSuiteTest {
  final DslCodeSuite suite = DslCodeSuite.standard();

  /** The verdict when the policy writes {@code program} and stops. */
  CheckResult check(String taskId, String program) {
    return suite.check(suite.lookup(taskId), program);
  }

  @Test
  void shouldRegisterAsDslCode() {
    assertEquals("dsl-code", Suites.byName("dsl-code").name());
    assertEquals(1, suite.horizon());
    assertFalse(suite.runsPrograms());
  }

  @Test
  void shouldVerifyTheDemonstrationOfEveryTaskAsCorrect() {
    int tasks = 0;
    for (DslFamily family : DslFamily.values()) {
      for (int[] params : family.allParameters()) {
        DslTask t = suite.task(family, params);
        String demo = suite.demonstration(t).orElseThrow();
        assertTrue(demo.length() + 1 <= suite.maxCompletionTokens(), t.id());
        assertEquals(family.program(params), demo, "the program alone, without end-of-sequence");
        assertEquals(CheckResult.correct(), suite.check(t, demo), t.id());
        tasks++;
      }
    }
    assertEquals(148, tasks);
  }

  @Test
  void shouldAcceptAnyProgramThatComputesTheFunction() {
    assertEquals(CheckResult.correct(), check("affine:2:3", "xx+3+"));
    assertEquals(CheckResult.correct(), check("absdiff:4", "4x-a"));
    assertEquals(CheckResult.correct(), check("max:-2", "x02-sm"));
  }

  @Test
  void shouldCallAProgramThatOnlyFitsTheVisibleExamplesWrong() {
    // max(x, 5) is 5 on every visible input, but not on the hidden ones above 5.
    CheckResult r = check("max:5", "5");
    assertEquals(Outcome.WRONG, r.outcome());
    assertEquals("input 8: expected 8, got 5", r.detail());
  }

  @Test
  void shouldNameTheFirstHiddenInputAWrongProgramFails() {
    CheckResult r = check("affine:2:3", "x2*4+");
    assertEquals(CheckResult.wrong("input -11: expected -19, got -18"), r);
  }

  @Test
  void shouldGiveEachFailureItsVerdict() {
    assertEquals(Outcome.MALFORMED, check("max:5", "x5m=").outcome());
    assertEquals(Outcome.MALFORMED, check("max:5", "x5m[").outcome());
    assertEquals(Outcome.MALFORMED, suite.check(suite.lookup("max:5"), "").outcome());
    assertEquals(Outcome.CRASHED, check("max:5", "x+").outcome());
    assertEquals(Outcome.CRASHED, check("max:5", "x[1]").outcome(), "negative loop count");
    assertEquals(Outcome.TIMEOUT, check("max:5", "9[9[9[]]]x").outcome());
    assertEquals(Outcome.VIOLATION, check("max:5", "9[x]").outcome());
    assertEquals(0.0, check("max:5", "9[x]").reward());
  }

  @Test
  void shouldReportWhichInputStoppedTheProgram() {
    CheckResult r = check("max:5", "x[1]");
    assertTrue(r.detail().startsWith("input -11: negative loop count"), r.detail());
  }

  @Test
  void shouldCallTextOutsideTheLanguageInTheProgramMalformed() {
    Task t = suite.lookup("max:5");
    // What a tokenizer's special or unknown tokens read as, in the middle of a program.
    for (String special : new String[] {"<pad>", "<bos>", "<?99>", " ", "\n"}) {
      String program = "x" + special + "5m";
      assertEquals(Outcome.MALFORMED, suite.check(t, program).outcome(), program);
    }
    // End-of-sequence first: the completion is empty whatever followed.
    assertEquals(Outcome.MALFORMED, suite.check(t, "").outcome());
  }

  @Test
  void shouldAcceptAProgramThatFillsTheTokenLimitWithoutEndOfSequence() {
    String sixteen = "x1+1+1+1+1+1+6-a";
    assertEquals(16, sixteen.length());
    assertEquals(suite.maxCompletionTokens(), sixteen.length());
    assertEquals(CheckResult.correct(), suite.check(suite.lookup("absdiff:0"), sixteen));
    String seventeen = "x1+1+1+1+1+1+6-ap";
    assertEquals(Outcome.MALFORMED, suite.check(suite.lookup("absdiff:0"), seventeen).outcome());
  }

  @Test
  void shouldNeverDrawAValidationOrTestTaskForTraining() {
    SplitChecks.assertHeldOutAndDisjoint(suite);
    assertEquals(20, suite.split(Split.VALIDATION).tasks().size());
    assertEquals(20, suite.split(Split.TEST).tasks().size());
    Set<String> drawn = SplitChecks.assertGeneratorDrawsOnlyTraining(suite, 5_000);
    assertEquals(148 - 40, drawn.size(), "every training task is drawn");
  }

  @Test
  void shouldHoldOutTuplesOfEveryFamily() {
    for (Split s : List.of(Split.VALIDATION, Split.TEST)) {
      Set<DslFamily> families = new HashSet<>();
      for (Task t : suite.split(s).tasks()) {
        families.add(((DslTask) t).family());
      }
      assertEquals(Set.of(DslFamily.values()), families, s.label());
      assertEquals(
          suite.split(s).tasks().stream().map(Task::id).toList(),
          DslCodeSuite.standard().split(s).tasks().stream().map(Task::id).toList(),
          "the split does not depend on anything but the split seed");
    }
  }

  @Test
  void shouldShowTheVisibleExamplesInThePrompt() {
    Task t = suite.lookup("affine:3:-2");
    assertEquals("-02=-08;+00=-02;+01=+01;+03=+07;", t.prompt());
    assertEquals(suite.maxPromptTokens() - 1, t.prompt().length());
    for (long hidden : DslExamples.HIDDEN) {
      for (long visible : DslExamples.VISIBLE) {
        assertTrue(hidden != visible);
      }
    }
  }

  @Test
  void shouldResolveIdsAndRecords() {
    assertEquals("affine:3:-2", suite.lookup("affine:3:-2").id());
    Task fromRecord = suite.taskFromRecord(Map.of("family", "affine", "a", 3, "b", -2));
    assertEquals("affine:3:-2", fromRecord.id());
    assertEquals(suite.lookup("affine:3:-2").prompt(), fromRecord.prompt());
    assertEquals("max:5", suite.taskFromRecord(Map.of("id", "max:5")).id());
    for (String id : new String[] {"max:10", "max:05", "max:+5", "max", "affine:3", "cube:1"}) {
      assertThrows(UnknownTaskException.class, () -> suite.lookup(id), id);
    }
    assertThrows(
        MalformedTaskException.class,
        () -> suite.taskFromRecord(Map.of("family", "affine", "a", 3)));
    assertThrows(
        MalformedTaskException.class,
        () -> suite.taskFromRecord(Map.of("family", "max", "a", 2.5)));
    assertThrows(
        MalformedTaskException.class, () -> suite.taskFromRecord(Map.of("family", "cube")));
    assertThrows(MalformedTaskException.class, () -> suite.taskFromRecord(Map.of("id", "max:99")));
  }
}
