package verity.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** The restart back-off is read once with the other reward settings, and checked. */
class RewardSettingsTest {

  @Test
  void shouldReadTheRestartBackoffOfTheReferenceConfiguration() {
    RewardSettings s = RewardSettings.from(ConfigFactory.load());
    assertEquals(RewardSettings.DEFAULT_RESTART_MIN_BACKOFF, s.restartMinBackoff());
    assertEquals(RewardSettings.DEFAULT_RESTART_MAX_BACKOFF, s.restartMaxBackoff());
  }

  @Test
  void shouldRefuseAMaximumBackoffBelowTheMinimumNamingTheKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                RewardSettings.from(
                    ConfigFactory.parseString(
                            "verity.reward.restart-backoff { min = 10s, max = 2s }")
                        .withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().contains("verity.reward.restart-backoff.max"), e.getMessage());
  }
}
