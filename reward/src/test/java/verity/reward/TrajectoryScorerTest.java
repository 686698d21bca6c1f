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
import verity.envs.Vocabulary;
import verity.envs.arith.ArithmeticSuite;

class TrajectoryScorerTest {
  static final ArithmeticSuite SUITE = ArithmeticSuite.singleDigit();
  final TrajectoryScorer scorer = new TrajectoryScorer(SUITE, PlanExecutor.pureOnly());

  static Trajectory trajectory(String suite, String task, int[] prompt, String answer) {
    int[] digits = SUITE.vocabulary().encode(answer);
    int[] completion = java.util.Arrays.copyOf(digits, digits.length + 1);
    completion[digits.length] = Vocabulary.EOS;
    return new Trajectory(
        new TrajectoryId(new LeaseId(1), 0),
        suite,
        new TaskId(task),
        2,
        prompt,
        completion,
        Trajectory.allSampled(completion.length),
        new float[completion.length],
        List.of(new Segment(0, completion.length, PolicyVersion.INITIAL)),
        "w");
  }

  @Test
  void shouldScoreTheCompletionAgainstItsOwnCopyOfTheTask() {
    int[] prompt = SUITE.lookup("3+4").prompt();
    assertEquals(
        Verdict.Reason.CORRECT, scorer.verdict(trajectory("arith", "3+4", prompt, "7")).reason());
    Verdict wrong = scorer.verdict(trajectory("arith", "3+4", prompt, "8"));
    assertEquals(Verdict.Reason.WRONG, wrong.reason());
    assertTrue(wrong.millis() >= 0);
  }

  @Test
  void shouldNotTrustAPromptTheWorkerMadeUp() {
    // The worker claims task 3+4 but shows the prompt of 1+1; the verifier checks 3+4.
    int[] lie = SUITE.lookup("1+1").prompt();
    Verdict v = scorer.verdict(trajectory("arith", "3+4", lie, "2"));
    assertEquals(Verdict.Reason.WRONG, v.reason());
    assertEquals(0.0, v.reward());
  }

  @Test
  void shouldCallUnknownTasksAndForeignSuitesMalformed() {
    int[] prompt = SUITE.lookup("3+4").prompt();
    assertEquals(
        Verdict.Reason.MALFORMED,
        scorer.verdict(trajectory("arith", "30+4", prompt, "34")).reason());
    assertEquals(
        Verdict.Reason.MALFORMED,
        scorer.verdict(trajectory("arith2", "3+4", prompt, "7")).reason());
  }

  @Test
  void shouldOnlyCheckTheTokensThePolicySampled() {
    Trajectory t = trajectory("arith", "3+4", SUITE.lookup("3+4").prompt(), "7");
    // An observation token the environment fed (not sampled) in front of the answer is ignored.
    int[] tokens = {SUITE.vocabulary().id("9"), t.tokens()[0], t.tokens()[1]};
    Trajectory withObservation =
        new Trajectory(
            t.id(),
            t.suite(),
            t.task(),
            2,
            t.prompt(),
            tokens,
            new boolean[] {false, true, true},
            new float[3],
            List.of(new Segment(0, 3, PolicyVersion.INITIAL)),
            "w");
    assertEquals(Verdict.Reason.CORRECT, scorer.verdict(withObservation).reason());
  }
}
