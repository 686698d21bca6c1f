package verity.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import verity.envs.CheckPlan;

class SandboxSettingsTest {
  final Config reference = ConfigFactory.load();

  @Test
  void shouldReadTheReferenceDefaults() {
    SandboxSettings s = SandboxSettings.from(reference);
    assertEquals(Path.of("/usr/bin/bwrap"), s.bwrap());
    assertEquals(Path.of("/usr/bin/python3"), s.python());
    assertEquals(65534, s.runAsUid());
    assertEquals(16L << 20, s.tmpfsBytes());
    assertEquals(Duration.ofSeconds(30), s.maxLimits().wallClock());
  }

  @Test
  void shouldCapEachLimitByTheConfiguredMaximum() {
    SandboxSettings s = SandboxSettings.from(reference);
    CheckPlan.Limits asked =
        new CheckPlan.Limits(
            Duration.ofMinutes(5), Duration.ofSeconds(1), 1L << 40, 8, 1L << 40, Integer.MAX_VALUE);
    CheckPlan.Limits capped = s.cap(asked);
    assertEquals(Duration.ofSeconds(30), capped.wallClock());
    assertEquals(Duration.ofSeconds(1), capped.cpu());
    assertEquals(2L << 30, capped.addressSpaceBytes());
    assertEquals(8, capped.processes());
    assertEquals(64L << 20, capped.fileBytes());
    assertEquals(1 << 20, capped.outputBytes());
  }

  @Test
  void shouldRefuseAnInterpreterTheSandboxCannotSee() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                SandboxSettings.from(
                    reference.withValue(
                        "verity.reward.sandbox.python",
                        ConfigValueFactory.fromAnyRef("/root/.pyenv/shims/python3"))));
    assertTrue(e.getMessage().contains("verity.reward.sandbox.python"), e.getMessage());
  }

  @Test
  void shouldAcceptAnInterpreterUnderAnExtraReadOnlyPath() {
    SandboxSettings s =
        SandboxSettings.from(
            reference
                .withValue(
                    "verity.reward.sandbox.python",
                    ConfigValueFactory.fromAnyRef("/opt/py/bin/python3"))
                .withValue(
                    "verity.reward.sandbox.extra-read-only-paths",
                    ConfigValueFactory.fromIterable(java.util.List.of("/opt/py"))));
    assertEquals(Path.of("/opt/py/bin/python3"), s.python());
  }

  @Test
  void shouldRefuseARelativeToolPath() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                SandboxSettings.from(
                    reference.withValue(
                        "verity.reward.sandbox.bwrap", ConfigValueFactory.fromAnyRef("bwrap"))));
    assertTrue(e.getMessage().contains("absolute"), e.getMessage());
  }
}
