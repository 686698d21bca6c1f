package verity.actors.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DelayDistributionTest {

  static Config conf(String text) {
    return ConfigFactory.parseString(text);
  }

  @Test
  void shouldDrawALongTailAroundTheMedianCappedAtMax() {
    DelayDistribution d =
        DelayDistribution.from(
            conf("d { distribution = lognormal, median = 100ms, sigma = 1.0, max = 2s }"), "d");
    SplittableRandom random = new SplittableRandom(7);
    long[] millis = new long[20_000];
    for (int i = 0; i < millis.length; i++) {
      millis[i] = d.sample(random).toMillis();
    }
    Arrays.sort(millis);
    long median = millis[millis.length / 2];
    long p99 = millis[(int) (millis.length * 0.99)];
    assertTrue(median >= 90 && median <= 110, "median near 100 ms: " + median);
    assertTrue(p99 > 5 * median, "a long tail: p99 " + p99 + " vs median " + median);
    assertEquals(2000, millis[millis.length - 1], "capped at max");
  }

  @Test
  void shouldAlwaysGiveTheMedianWhenFixedAndNothingWhenNone() {
    SplittableRandom random = new SplittableRandom(1);
    DelayDistribution fixed =
        DelayDistribution.from(
            conf("d { distribution = fixed, median = 250ms, sigma = 0, max = 1s }"), "d");
    assertEquals(Duration.ofMillis(250), fixed.sample(random));
    DelayDistribution none =
        DelayDistribution.from(
            conf("d { distribution = none, median = 250ms, sigma = 0, max = 1s }"), "d");
    assertEquals(Duration.ZERO, none.sample(random));
  }

  @Test
  void shouldNameTheKeyOfABadSetting() {
    ConfigException shape =
        assertThrows(
            ConfigException.class,
            () ->
                DelayDistribution.from(
                    conf("d { distribution = pareto, median = 1s, sigma = 1, max = 2s }"), "d"));
    assertTrue(shape.getMessage().contains("d.distribution"), shape.getMessage());
    ConfigException cap =
        assertThrows(
            ConfigException.class,
            () ->
                DelayDistribution.from(
                    conf("d { distribution = fixed, median = 3s, sigma = 1, max = 2s }"), "d"));
    assertTrue(cap.getMessage().contains("d.max"), cap.getMessage());
  }
}
