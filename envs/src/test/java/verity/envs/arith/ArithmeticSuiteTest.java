package verity.envs.arith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import verity.envs.CheckResult;
import verity.envs.Outcome;
import verity.envs.Split;
import verity.envs.SplitChecks;
import verity.envs.SplitTasks;
import verity.envs.Task;
import verity.envs.TaskGenerator;
import verity.envs.UnknownTaskException;

class ArithmeticSuiteTest {
  final ArithmeticSuite arith = ArithmeticSuite.singleDigit();
  final ArithmeticSuite arith2 = ArithmeticSuite.twoDigit();

  @Test
  void shouldRewardTheExactSumOnly() {
    Task t = arith.lookup("7+8");
    // The completion is the text before end-of-sequence, or all of it when the limit cut it off.
    assertEquals(CheckResult.correct(), arith.check(t, "15"));
    assertEquals(CheckResult.wrong(), arith.check(t, "14"));
    assertEquals(Outcome.WRONG, arith.check(t, "5").outcome());
  }

  @Test
  void shouldCallUnparsableCompletionsMalformed() {
    Task t = arith.lookup("2+2");
    assertEquals(Outcome.MALFORMED, arith.check(t, "").outcome(), "end-of-sequence at once");
    assertEquals(Outcome.MALFORMED, arith.check(t, "4+").outcome());
    assertEquals(Outcome.MALFORMED, arith.check(t, "<bos>3").outcome(), "a special token's text");
    assertEquals(Outcome.MALFORMED, arith.check(t, "<?99>").outcome(), "an unknown token's text");
    assertEquals(Outcome.MALFORMED, arith.check(t, " 4").outcome());
  }

  @Test
  void shouldReadTwoDigitAnswersLeastSignificantDigitFirst() {
    Task t = arith2.lookup("37+45");
    assertEquals(Outcome.CORRECT, arith2.check(t, "28").outcome());
    assertEquals(Outcome.WRONG, arith2.check(t, "82").outcome());
    assertEquals("28", arith2.answerText(82));
    assertEquals("37+45=", t.prompt());
    assertEquals("05+09=", arith2.lookup("5+9").prompt());
    assertEquals("28", arith2.demonstration(t).orElseThrow(), "without end-of-sequence");
  }

  @Test
  void shouldAgreeWithItsOwnDemonstrations() {
    TaskGenerator g = arith2.generator(3);
    for (int i = 0; i < 200; i++) {
      Task t = g.next();
      String text = arith2.demonstration(t).orElseThrow();
      assertEquals(Outcome.CORRECT, arith2.check(t, text).outcome());
    }
  }

  @Test
  void shouldHoldOutDisjointValidationAndTestSplits() {
    SplitChecks.assertHeldOutAndDisjoint(arith2);
    assertEquals(
        10_000,
        arith2.split(Split.TRAIN).tasks().size()
            + arith2.split(Split.VALIDATION).tasks().size()
            + arith2.split(Split.TEST).tasks().size());
  }

  @Test
  void shouldPutBothOrdersOfAPairInOneSplit() {
    Map<String, Split> unordered = new HashMap<>();
    int mirrored = 0;
    for (Split s : Split.values()) {
      for (Task t : arith2.split(s).tasks()) {
        ArithmeticTask a = (ArithmeticTask) t;
        String key = Math.min(a.a(), a.b()) + "," + Math.max(a.a(), a.b());
        Split before = unordered.putIfAbsent(key, s);
        if (before != null) {
          mirrored++;
          assertEquals(before, s, "{" + key + "} is in " + before.label() + " and " + s.label());
        }
        assertEquals(s, arith2.splitOf(a.b(), a.a()));
      }
    }
    assertEquals(5050, unordered.size());
    assertEquals(4950, mirrored, "every a+b with a != b has its b+a in the same split");
  }

  @Test
  void shouldNeverTrainOnAValidationOrTestPair() {
    Set<String> seen = SplitChecks.assertGeneratorDrawsOnlyTraining(arith2, 60_000);
    int training = arith2.split(Split.TRAIN).tasks().size();
    assertTrue(
        seen.size() > training - 100,
        "training draws cover the " + training + " training pairs, saw " + seen.size());
  }

  @Test
  void shouldLabelSingleDigitScoresAsTrainingSetScores() {
    for (Split s : Split.values()) {
      SplitTasks tasks = arith.split(s);
      assertEquals(Split.TRAIN, tasks.split(), "arith holds nothing out: " + s.label());
      assertFalse(tasks.heldOut());
      assertEquals(100, new HashSet<>(tasks.tasks().stream().map(Task::id).toList()).size());
    }
    assertTrue(arith.splitRule().contains("labelled train"), arith.splitRule());
  }

  @Test
  void shouldGenerateTheSameStreamFromTheSameSeed() {
    TaskGenerator a = arith2.generator(5);
    TaskGenerator b = arith2.generator(5);
    TaskGenerator c = arith2.generator(6);
    boolean differs = false;
    for (int i = 0; i < 100; i++) {
      String x = a.next().id();
      assertEquals(x, b.next().id());
      differs |= !x.equals(c.next().id());
    }
    assertTrue(differs);
  }

  @Test
  void shouldReadTaskRecords() {
    assertEquals("3+4", arith.taskFromRecord(java.util.Map.of("a", 3, "b", 4)).id());
    assertEquals("3+4", arith.taskFromRecord(java.util.Map.of("id", "3+4")).id());
    assertThrows(
        verity.envs.MalformedTaskException.class,
        () -> arith.taskFromRecord(java.util.Map.of("a", 3)));
    assertThrows(
        verity.envs.MalformedTaskException.class,
        () -> arith.taskFromRecord(java.util.Map.of("a", 30, "b", 4)));
  }

  @Test
  void shouldRefuseTasksItDoesNotHave() {
    assertThrows(UnknownTaskException.class, () -> arith.lookup("10+1"));
    assertThrows(UnknownTaskException.class, () -> arith.lookup("x+1"));
    assertThrows(UnknownTaskException.class, () -> arith.lookup("12"));
  }

  @Test
  void shouldFitPromptsAndAnswersInTheDeclaredLengths() {
    for (ArithmeticSuite s : new ArithmeticSuite[] {arith, arith2}) {
      for (Task t : s.split(Split.TEST).tasks()) {
        assertTrue(t.prompt().length() + 1 <= s.maxPromptTokens());
        assertTrue(s.demonstration(t).orElseThrow().length() + 1 <= s.maxCompletionTokens());
      }
    }
  }
}
