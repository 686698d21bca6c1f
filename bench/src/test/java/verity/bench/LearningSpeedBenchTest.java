package verity.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import verity.bench.LearningSpeedBench.SeedResult;
import verity.bench.report.Figure;

/** The learning-speed figures assembled from per-seed results of both sides. */
class LearningSpeedBenchTest {

  @Test
  void theSpeedRatioIsTheLoopsTimeOverTheClustersPairedBySeed() {
    List<Figure> f =
        LearningSpeedBench.figures(
            0.95,
            2500,
            List.of(
                new SeedResult(1, 100, 600, true, 90, 85, 500, true),
                new SeedResult(2, 200, 700, true, 190, 180, 700, true)));
    Figure speed = f.get(0);
    // Seed 1: 90/100 = 0.9; seed 2: 190/200 = 0.95. Mean 0.925, s = 0.0353553, s/√2 = 0.025,
    // × 12.706 = 0.31765: [0.607, 1.243], which straddles 0.8.
    assertEquals(0.925, speed.ratio(), 1e-12);
    assertEquals(0.925 - 0.31765, speed.interval().lo(), 1e-9);
    assertEquals(0.925 + 0.31765, speed.interval().hi(), 1e-9);
    assertEquals(Figure.Verdict.NOT_SHOWN, speed.verdict());
    assertEquals("≥ 0.80", speed.target());
    assertEquals("cluster: 150.0 [-485.3, 785.3] (2 seeds: 100.0, 200.0) s", speed.value());
    assertTrue(speed.baseline().startsWith("plain loop: 140.0 ["), speed.baseline());
    assertTrue(speed.baseline().contains("(2 seeds: 85.0, 180.0) s"), speed.baseline());

    Figure steps = f.get(1);
    // 600/500 = 1.2 and 700/700 = 1.0
    assertEquals(1.1, steps.ratio(), 1e-12);
    assertEquals(List.of(1.2, 1.0), steps.interval().values());
    assertEquals(Figure.Verdict.NO_TARGET, steps.verdict());
  }

  @Test
  void aSeedWhereEitherSideMissedTheTargetLeavesNoRatioAndTheTargetMissed() {
    Figure speed =
        LearningSpeedBench.figures(
                0.95,
                2500,
                List.of(
                    new SeedResult(1, 100, 600, true, 90, 85, 500, true),
                    new SeedResult(2, 400, 2500, false, 190, 180, 700, true)))
            .get(0);
    assertTrue(Double.isNaN(speed.ratio()));
    assertEquals(Figure.Verdict.MISSED, speed.verdict());
    assertTrue(speed.value().contains("seed 2 never reached it"), speed.value());
  }

  @Test
  void tightSeedsAboveTheTargetMeetIt() {
    Figure speed =
        LearningSpeedBench.figures(
                0.95,
                2500,
                List.of(
                    new SeedResult(1, 100, 600, true, 100, 95, 600, true),
                    new SeedResult(2, 100, 600, true, 101, 95, 600, true)))
            .get(0);
    assertEquals(Figure.Verdict.MET, speed.verdict()); // [0.94, 1.07]
  }
}
