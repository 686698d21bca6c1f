package verity.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verity.bench.report.Figure;
import verity.bench.report.Interval;
import verity.bench.report.ResultsTable;
import verity.deploy.run.RunSummary.CurvePoint;

/** The parts of the benchmarks that turn measurements into figures. */
class BenchReportTest {

  @Test
  void targetsAreJudgedOnTheRatio() {
    assertEquals(Figure.Verdict.MET, Figure.atLeast("x", "", "", 0.95, 0.9).verdict());
    assertEquals(Figure.Verdict.MISSED, Figure.atLeast("x", "", "", 0.85, 0.9).verdict());
    assertEquals(Figure.Verdict.MET, Figure.atMost("x", "", "", 1.5, 2).verdict());
    assertEquals(Figure.Verdict.MISSED, Figure.atMost("x", "", "", 2.5, 2).verdict());
    assertEquals(Figure.Verdict.MISSED, Figure.atLeast("x", "", "", Double.NaN, 0.9).verdict());
  }

  @Test
  void aTargetOverSeedsIsMetOnlyWhenTheWholeIntervalClearsIt() {
    Interval above = Interval.of(0.9, 0.95, 1.0); // [0.83, 1.07]
    Interval below = Interval.of(0.5, 0.6, 0.7); // [0.35, 0.85]
    Interval tight = Interval.of(0.91, 0.92, 0.93); // [0.895, 0.945]
    assertEquals(Figure.Verdict.MET, Figure.atLeast("x", "", "", tight, 0.89).verdict());
    // The mean clears 0.9 but the lower bound does not: not shown, not met.
    assertEquals(Figure.Verdict.NOT_SHOWN, Figure.atLeast("x", "", "", above, 0.9).verdict());
    assertEquals(Figure.Verdict.MISSED, Figure.atLeast("x", "", "", below, 0.9).verdict());
    assertEquals(Figure.Verdict.MET, Figure.atMost("x", "", "", below, 0.9).verdict());
    assertEquals(Figure.Verdict.NOT_SHOWN, Figure.atMost("x", "", "", above, 0.95).verdict());
    assertEquals(Figure.Verdict.MISSED, Figure.atMost("x", "", "", tight, 0.89).verdict());
    // One seed gives no interval; a seed that gave no ratio misses.
    assertEquals(
        Figure.Verdict.NOT_SHOWN, Figure.atLeast("x", "", "", Interval.of(5.0), 1).verdict());
    assertEquals(
        Figure.Verdict.MISSED,
        Figure.atLeast("x", "", "", Interval.of(5.0, Double.NaN), 1).verdict());
  }

  @Test
  void aFigureOverSeedsShowsItsIntervalInTheRatioAndTargetColumns() {
    String md =
        ResultsTable.markdown(
            List.of(
                Figure.atLeast("straddles", "v", "b", Interval.of(0.9, 0.95, 1.0), 0.9),
                Figure.atLeast("one seed", "v", "b", Interval.of(0.95), 0.9)),
            true,
            "2 cores test CPU",
            Instant.parse("2026-12-01T10:00:00Z"),
            Duration.ofSeconds(5),
            "abc1234");
    List<String> rows =
        md.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| ---")).toList();
    assertTrue(
        rows.get(1)
            .contains(
                "| 0.95 [0.83, 1.07] | ≥ 0.90 **not shown** (the 95 % interval straddles it) |"),
        rows.get(1));
    assertTrue(rows.get(2).contains("| 0.95 | ≥ 0.90 **not shown** (one seed: no interval) |"));
  }

  @Test
  void theTableHasOneRowPerFigureWithTheMachineAndEscapedCells() {
    String md =
        ResultsTable.markdown(
            List.of(
                Figure.atLeast("overhead", "9 tokens/s", "10 tokens/s", 0.9, 0.9),
                Figure.atLeast("a|b", "1", "2", 0.5, 2.5),
                Figure.failed("memory", "dev exited with 1")),
            false,
            "2 cores test CPU",
            Instant.parse("2026-12-01T10:00:00Z"),
            Duration.ofSeconds(125),
            "abc1234");
    List<String> rows =
        md.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| ---")).toList();
    assertEquals(4, rows.size(), md); // the header and three figures
    assertTrue(rows.get(1).contains("| 0.90 | ≥ 0.90 met | 2 cores test CPU |"), rows.get(1));
    assertTrue(rows.get(2).startsWith("| a\\|b |"), rows.get(2));
    assertTrue(rows.get(2).contains("**missed**"), rows.get(2));
    assertTrue(rows.get(3).contains("failed: dev exited with 1"), rows.get(3));
    assertTrue(md.contains("2 min 5 s, commit `abc1234`"), md);
  }

  @Test
  void timeToTargetRunsFromTheFirstEvaluationToTheFirstAtOrAboveTheTarget() {
    List<CurvePoint> curve =
        List.of(
            new CurvePoint(0, 7.0, 0.19),
            new CurvePoint(5, 12.0, 0.41),
            new CurvePoint(10, 20.0, 0.62),
            new CurvePoint(15, 25.0, 0.58));
    assertEquals(13.0, AsyncSyncBench.secondsToTarget(curve, 30, 0.6), 1e-9);
    assertEquals(5.0, AsyncSyncBench.secondsToTarget(curve, 30, 0.4), 1e-9);
    // Never reached: the whole RL time, a lower bound.
    assertEquals(23.0, AsyncSyncBench.secondsToTarget(curve, 30, 0.9), 1e-9);
    assertThrows(
        IllegalStateException.class, () -> AsyncSyncBench.secondsToTarget(List.of(), 30, 0.5));
  }

  @Test
  void theHeapAfterGcIsReadFromTheLatestPauseInTheGcLog(@TempDir Path dir) throws IOException {
    Path log = dir.resolve("gc.log");
    assertEquals(0, MemoryBench.lastHeapAfterGc(log)); // no log yet
    Files.writeString(
        log,
        """
        [0.011s][info][gc] Using G1
        [1.532s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->6M(256M) 3.412ms
        [9.871s][info][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 150M->31M(256M) 8.001ms
        [9.900s][info][gc] GC(2) Pause Remark 40M->38M(256M) 1.100ms
        """);
    assertEquals(38L << 20, MemoryBench.lastHeapAfterGc(log));
  }
}
