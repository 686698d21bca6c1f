package verity.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import verity.actors.config.RestartBackoff;

/** The restart back-off is read once with the other rollout settings, and checked. */
class RolloutSettingsTest {

  @Test
  void shouldReadTheRestartBackoffOfTheReferenceConfiguration() {
    assertEquals(RestartBackoff.DEFAULT, RolloutSettings.from(ConfigFactory.load()).restart());
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
  }
}
