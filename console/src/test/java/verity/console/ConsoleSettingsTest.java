package verity.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleSettingsTest {
  private static final String TOKEN = "a-token-of-enough-length";

  @Test
  void loopbackNeedsNoToken() {
    assertTrue(new ConsoleSettings("127.0.0.1", 8080, Optional.empty()).token().isEmpty());
    assertTrue(new ConsoleSettings("localhost", 0, Optional.of("")).token().isEmpty());
  }

  @Test
  void anyOtherAddressNeedsAToken() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ConsoleSettings("0.0.0.0", 8080, Optional.empty()));
    assertTrue(e.getMessage().contains("without a token"), e.getMessage());
    assertTrue(e.getMessage().contains(ConsoleSettings.TOKEN_ENV), e.getMessage());
    assertEquals(TOKEN, new ConsoleSettings("0.0.0.0", 8080, Optional.of(TOKEN)).token().get());
  }

  @Test
  void badTokensPortsAndHostsAreRefusedWithTheirReason() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new ConsoleSettings("0.0.0.0", 8080, Optional.of("short")))
            .getMessage()
            .contains("too short"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new ConsoleSettings("127.0.0.1", 70000, Optional.empty()))
            .getMessage()
            .contains("70000"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new ConsoleSettings("no-such-host.invalid", 8080, Optional.empty()))
            .getMessage()
            .contains("no-such-host.invalid"));
  }

  @Test
  void theTokenNeverShowsInText() {
    assertFalse(new ConsoleSettings("0.0.0.0", 1, Optional.of(TOKEN)).toString().contains(TOKEN));
  }

  @Test
  void configuredTokenWinsOverTheEnvironment() {
    ConsoleSettings s =
        ConsoleSettings.from(
            ConfigFactory.parseString(
                    "verity.console { host = \"0.0.0.0\", port = 9000, token = \"" + TOKEN + "\" }")
                .withFallback(ConfigFactory.defaultReference()),
            Optional.of("from-the-environment-xx"));
    assertEquals(TOKEN, s.token().get());
    ConsoleSettings env =
        ConsoleSettings.from(
            ConfigFactory.defaultReference(), Optional.of("from-the-environment-xx"));
    assertEquals("from-the-environment-xx", env.token().get());
    assertEquals(8080, env.port());
  }
}
