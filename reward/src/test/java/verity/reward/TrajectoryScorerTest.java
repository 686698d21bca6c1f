package verity.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import verity.actors.ids.LeaseId;
import verity.actors.ids.PolicyVersion;
import verity.actors.ids.TaskId;
import verity.actors.ids.TrajectoryId;
import verity.actors.protocol.Segment;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.envs.arith.ArithmeticSuite;

class TrajectoryScorerTest {
  static final ArithmeticSuite SUITE = ArithmeticSuite.singleDigit();
  final TrajectoryScorer scorer = new TrajectoryScorer(SUITE, PlanExecutor.pureOnly());

  /** Prompt ids as some worker's tokenizer wrote them; the verifier never reads them. */
  static final int[] PROMPT_IDS = {1, 6, 13, 7, 14};

  /** A trajectory whose policy wrote {@code answer} (one token per character, then end). */
  static Trajectory trajectory(String suite, String task, int[] prompt, String answer) {
    int[] tokens = new int[answer.length() + 1];
    for (int i = 0; i < answer.length(); i++) {
      tokens[i] = 3 + answer.charAt(i) - '0';
    }
    tokens[answer.length()] = 2;
    return new Trajectory(
        new TrajectoryId(new LeaseId(1), 0),
        suite,
        new TaskId(task),
        2,
        prompt,
        tokens,
        Trajectory.allSampled(tokens.length),
        new float[tokens.length],
        answer,
        List.of(new Segment(0, tokens.length, PolicyVersion.INITIAL)),
        "w");
  }

  @Test
  void shouldScoreTheCompletionAgainstItsOwnCopyOfTheTask() {
    int[] prompt = PROMPT_IDS;
    assertEquals(
        Verdict.Reason.CORRECT, scorer.verdict(trajectory("arith", "3+4", prompt, "7")).reason());
    Verdict wrong = scorer.verdict(trajectory("arith", "3+4", prompt, "8"));
    assertEquals(Verdict.Reason.WRONG, wrong.reason());
    assertTrue(wrong.millis() >= 0);
  }

  @Test
  void shouldNotTrustAPromptTheWorkerMadeUp() {
    // The worker claims task 3+4 but shows the prompt of 1+1; the verifier checks 3+4.
    int[] lie = {1, 4, 13, 4, 14};
    Verdict v = scorer.verdict(trajectory("arith", "3+4", lie, "2"));
    assertEquals(Verdict.Reason.WRONG, v.reason());
    assertEquals(0.0, v.reward());
  }

  @Test
  void shouldCallUnknownTasksAndForeignSuitesMalformed() {
    int[] prompt = PROMPT_IDS;
    assertEquals(
        Verdict.Reason.MALFORMED,
        scorer.verdict(trajectory("arith", "30+4", prompt, "34")).reason());
    assertEquals(
        Verdict.Reason.MALFORMED,
        scorer.verdict(trajectory("arith2", "3+4", prompt, "7")).reason());
  }

  @Test
  void shouldJudgeTheCompletionTextNotTheTokenIds() {
    // Suites speak text: the verifier has no tokenizer and checks what the worker decoded, so the
    // same ids under another policy's tokenizer are judged by their text alone.
    Trajectory t = trajectory("arith", "3+4", PROMPT_IDS, "7");
    Trajectory sameIdsOtherText =
        new Trajectory(
            t.id(),
            t.suite(),
            t.task(),
            2,
            t.prompt(),
            t.tokens(),
            t.policyMask(),
            t.logProbs(),
            "8",
            t.segments(),
            "w");
    assertEquals(Verdict.Reason.CORRECT, scorer.verdict(t).reason());
    assertEquals(Verdict.Reason.WRONG, scorer.verdict(sameIdsOtherText).reason());
  }
}
