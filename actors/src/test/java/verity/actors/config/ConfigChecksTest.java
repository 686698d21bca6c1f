package verity.actors.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigChecksTest {
  static final Config REFERENCE =
      ConfigFactory.parseString("verity { a = 1, b { c = x }, pool { size = 2 } }");

  enum Mode {
    REJECT,
    DOWN_WEIGHT
  }

  @Test
  void shouldNameAnUnknownKey() {
    Config user = ConfigFactory.parseString("verity { a = 2, b { cc = y } }");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigChecks.rejectUnknownKeys(user, REFERENCE, "verity", List.of()));
    assertTrue(e.getMessage().contains("verity.b.cc"), e.getMessage());
  }

  @Test
  void shouldAcceptAnyKeyInsideAnOpenSection() {
    Config user = ConfigFactory.parseString("verity { pool { anything = 3 } }");
    assertDoesNotThrow(
        () -> ConfigChecks.rejectUnknownKeys(user, REFERENCE, "verity", List.of("verity.pool")));
  }

  @Test
  void shouldNameTheKeyOfAnOutOfRangeValue() {
    Config c = ConfigFactory.parseString("x.y = -3");
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigChecks.intAtLeast(c, "x.y", 0));
    assertTrue(e.getMessage().contains("x.y") && e.getMessage().contains("-3"), e.getMessage());
  }

  @Test
  void shouldReadEnumsWrittenWithDashes() {
    Config c = ConfigFactory.parseString("m = down-weight, n = sideways");
    assertEquals(Mode.DOWN_WEIGHT, ConfigChecks.oneOf(c, "m", Mode.class));
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigChecks.oneOf(c, "n", Mode.class));
    assertTrue(e.getMessage().contains("reject, down-weight"), e.getMessage());
  }
}
