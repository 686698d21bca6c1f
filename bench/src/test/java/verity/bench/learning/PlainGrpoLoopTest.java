package verity.bench.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.bench.LearningSpeedBench;

/** The plain GRPO loop learns arith: a short seeded run against its own starting point. */
class PlainGrpoLoopTest {

  @Test
  void shouldRaiseGreedyPassOnArithWithinAShortRun(@TempDir Path dir) {
    var plan =
        LearningSpeedBench.plan(
            1,
            dir,
            Map.of(
                "verity.rollout.evaluate-every-steps", 20, "verity.learner.learning-rate", 3e-3));
    PlainGrpoLoop.Result r = PlainGrpoLoop.run(plan, 1.01, 80, System.out);
    assertFalse(r.reached());
    assertEquals(5, r.curve().size(), r.curve().toString()); // steps 0, 20, 40, 60, 80
    assertEquals(80, r.atTarget().step());
    assertTrue(
        r.atTarget().pass() > r.initialPass(),
        "pass@1 " + r.initialPass() + " -> " + r.atTarget().pass() + ": " + r.curve());
    assertEquals(0, r.skipped());
  }
}
