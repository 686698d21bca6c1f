package verity.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import verity.actors.config.RestartBackoff;

/** The verifier pool's restart back-off is read once with the other reward settings. */
class RewardSettingsTest {

  @Test
  void shouldReadTheRestartBackoffOfTheReferenceConfiguration() {
    assertEquals(RestartBackoff.DEFAULT, RewardSettings.from(ConfigFactory.load()).restart());
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
