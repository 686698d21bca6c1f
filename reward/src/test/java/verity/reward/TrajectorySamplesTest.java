package verity.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import verity.actors.ids.PolicyVersion;
import verity.actors.protocol.Segment;
import verity.actors.protocol.TrainingEvent.TrajectorySample;
import verity.actors.protocol.Trajectory;
import verity.actors.protocol.Verdict;
import verity.envs.arith.ArithmeticSuite;

/** The console's samples of scored trajectories: how many, and as what text. */
class TrajectorySamplesTest {
  static final ArithmeticSuite SUITE = ArithmeticSuite.singleDigit();

  @Test
  void shouldSampleEveryTrajectoryUntilTheFirstSecondPassed() {
    TrajectorySamples samples = new TrajectorySamples(SUITE, "v");
    assertTrue(LongStream.rangeClosed(1, 100).allMatch(samples::sampled));
  }

  @Test
  void shouldSpreadTheSamplesOfABusySecondOverTheNext() {
    TrajectorySamples samples = new TrajectorySamples(SUITE, "v");
    samples.secondPassed(320); // 320 scored in the first second: every 20th
    assertEquals(
        TrajectorySamples.PER_SECOND,
        LongStream.rangeClosed(321, 640).filter(samples::sampled).count());
    assertFalse(samples.sampled(321));
    assertTrue(samples.sampled(340));

    samples.secondPassed(330); // a quiet second: every one again
    assertTrue(LongStream.rangeClosed(331, 340).allMatch(samples::sampled));
  }

  @Test
  void shouldWriteTheSampleAsTheSuitesText() {
    Trajectory t =
        TrajectoryScorerTest.trajectory("arith", "3+4", TrajectoryScorerTest.PROMPT_IDS, "7");
    Trajectory twoVersions =
        new Trajectory(
            t.id(),
            t.suite(),
            t.task(),
            t.groupSize(),
            t.prompt(),
            t.tokens(),
            t.policyMask(),
            t.logProbs(),
            t.completion(),
            List.of(
                new Segment(0, 1, PolicyVersion.of(3)),
                new Segment(1, 1, PolicyVersion.of(3)),
                new Segment(2, t.actions().length, PolicyVersion.of(4))),
            "w");
    TrajectorySample s =
        new TrajectorySamples(SUITE, "v")
            .of(twoVersions, new Verdict(1, Verdict.Reason.CORRECT, 2.5), "");

    assertEquals(SUITE.lookup("3+4").prompt(), s.prompt());
    assertEquals("7", s.completion());
    assertEquals("3+4", s.task());
    assertEquals(Verdict.Reason.CORRECT.label(), s.verdict());
    assertArrayEquals(new long[] {3, 4}, s.versions());
    assertEquals("w", s.worker());
    assertEquals("v", s.verifier());
    assertEquals(2.5, s.checkMillis());
    assertEquals(t.actions().length, s.tokens());
  }

  @Test
  void shouldSayWhenTheTaskIsNotInTheVerifiersSuite() {
    Trajectory t = TrajectoryScorerTest.trajectory("arith", "no-such-task", new int[] {3}, "7");
    TrajectorySample s =
        new TrajectorySamples(SUITE, "v").of(t, new Verdict(0, Verdict.Reason.MALFORMED, 0), "");
    assertEquals("(task no-such-task not in this verifier's suite)", s.prompt());
    assertEquals("7", s.completion());
  }
}
