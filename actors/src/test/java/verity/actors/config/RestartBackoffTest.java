package verity.actors.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {
  @Test
  void aMaximumBelowTheMinimumOrANonPositiveMinimumIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new RestartBackoff(Duration.ofSeconds(10), Duration.ofSeconds(2)));
    assertThrows(
        IllegalArgumentException.class, () -> new RestartBackoff(Duration.ZERO, Duration.ZERO));
    assertEquals(Duration.ofSeconds(1), RestartBackoff.DEFAULT.min());
  }
}
