package verity.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The mean and 95 % interval over seeds, against values worked out by hand. */
class IntervalTest {

  @Test
  void twoSeedsUseTwelvePointSevenTimesTheStandardError() {
    // mean 2, s = √2, s/√2 = 1, t(0.975, 1) = 12.706
    Interval i = Interval.of(1, 3);
    assertEquals(2.0, i.mean(), 1e-12);
    assertEquals(2 - 12.706, i.lo(), 1e-9);
    assertEquals(2 + 12.706, i.hi(), 1e-9);
    assertEquals(List.of(1.0, 3.0), i.values());
  }

  @Test
  void threeSeedsUseFourPointThree() {
    // mean 4, s = 2, s/√3 = 1.1547005, × 4.303 = 4.9686764
    Interval i = Interval.of(2, 4, 6);
    assertEquals(4.0, i.mean(), 1e-12);
    assertEquals(4 - 4.9686764, i.lo(), 1e-6);
    assertEquals(4 + 4.9686764, i.hi(), 1e-6);
  }

  @Test
  void fiveSeedsUseTwoPointSevenSevenSix() {
    // mean 3, s = √2.5 = 1.5811388, s/√5 = 0.7071068, × 2.776 = 1.9629284
    Interval i = Interval.of(1, 2, 3, 4, 5);
    assertEquals(3.0, i.mean(), 1e-12);
    assertEquals(3 - 1.9629284, i.lo(), 1e-6);
    assertEquals(3 + 1.9629284, i.hi(), 1e-6);
    assertEquals(5, i.n());
  }

  @Test
  void ratiosArePairedBySeed() {
    // 2/1 and 6/3: both 2, so no spread, although the values alone spread widely
    Interval r = Interval.ofRatios(new double[] {2, 6}, new double[] {1, 3});
    assertEquals(2.0, r.mean(), 1e-12);
    assertEquals(2.0, r.lo(), 1e-12);
    assertEquals(2.0, r.hi(), 1e-12);
    assertThrows(
        IllegalArgumentException.class,
        () -> Interval.ofRatios(new double[] {1, 2}, new double[] {1}));
  }

  @Test
  void oneSeedHasAMeanButNoInterval() {
    Interval i = Interval.of(0.7);
    assertEquals(0.7, i.mean(), 1e-12);
    assertFalse(i.bounded());
    assertEquals("0.70 (1 seed: 0.70)", i.describe("%.2f"));
    assertThrows(IllegalArgumentException.class, Interval::of);
  }

  @Test
  void aSeedWithoutAValueLeavesNoMeanToReport() {
    Interval i = Interval.of(1.5, Double.NaN);
    assertTrue(Double.isNaN(i.mean()));
    assertFalse(i.bounded());
    assertEquals("– (2 seeds: 1.50, –)", i.describe("%.2f"));
  }

  @Test
  void describesMeanIntervalAndEachSeed() {
    assertEquals("4.0 [-1.0, 9.0] (3 seeds: 2.0, 4.0, 6.0)", Interval.of(2, 4, 6).describe("%.1f"));
    assertEquals("4.00 [-0.97, 8.97]", Interval.of(2, 4, 6).brief("%.2f"));
  }
}
