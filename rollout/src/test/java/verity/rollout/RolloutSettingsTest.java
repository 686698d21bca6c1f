package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The restart back-off is read once with the other rollout settings, and checked. */
class RolloutSettingsTest {

  @Test
  void shouldReadTheRestartBackoffOfTheReferenceConfiguration() {
    RolloutSettings s = RolloutSettings.from(ConfigFactory.load());
    assertEquals(RolloutSettings.DEFAULT_RESTART_MIN_BACKOFF, s.restartMinBackoff());
    assertEquals(RolloutSettings.DEFAULT_RESTART_MAX_BACKOFF, s.restartMaxBackoff());
  }

  @Test
  void shouldRefuseAMaximumBackoffBelowTheMinimumNamingTheKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                RolloutSettings.from(
                    ConfigFactory.parseString(
                            "verity.rollout.restart-backoff { min = 10s, max = 2s }")
                        .withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().contains("verity.rollout.restart-backoff.max"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new RolloutSettings(
                1,
                2,
                1,
                8,
                Duration.ofMinutes(1),
                10,
                verity.actors.config.DelayDistribution.NONE,
                Duration.ofSeconds(10),
                Duration.ofSeconds(2)));
  }
}
