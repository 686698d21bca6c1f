package verity.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeJavaOptionsTest {
  private static Config config(String text) {
    return ConfigFactory.parseString(text).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void shouldAddARolesOptionsAfterTheCommonOnesForTheNodesThatTakeIt() {
    NodeJavaOptions options =
        NodeJavaOptions.from(
            config(
                "verity.local.node-java-options = [\"-Xmx4g\", \"-XX:+UseSerialGC\"]\n"
                    + "verity.local.role-java-options.learner = [\"-Xmx2600m\"]\n"
                    + "verity.local.role-java-options.rollout = [\"-Xmx2300m\"]"));
    assertEquals(
        List.of("-Xmx4g", "-XX:+UseSerialGC", "-Xmx2600m"), options.forRoles(List.of("learner")));
    assertEquals(
        List.of("-Xmx4g", "-XX:+UseSerialGC", "-Xmx2300m"), options.forRoles(List.of("rollout")));
    assertEquals(List.of("-Xmx4g", "-XX:+UseSerialGC"), options.forRoles(List.of("reward")));
  }

  @Test
  void shouldLeaveEveryNodeWithTheCommonOptionsByDefault() {
    NodeJavaOptions options = NodeJavaOptions.from(config(""));
    assertEquals(List.of("-Xmx1g"), options.forRoles(List.of("learner", "rollout", "reward")));
  }

  @Test
  void shouldNameTheKeyOfAnUnknownRoleOrAValueThatIsNotAList() {
    ConfigException.BadValue unknown =
        assertThrows(
            ConfigException.BadValue.class,
            () ->
                NodeJavaOptions.from(
                    config("verity.local.role-java-options.learnr = [\"-Xmx1g\"]")));
    assertTrue(
        unknown.getMessage().contains("verity.local.role-java-options.learnr"),
        unknown.getMessage());
    ConfigException.BadValue notAList =
        assertThrows(
            ConfigException.BadValue.class,
            () ->
                NodeJavaOptions.from(
                    config("verity.local.role-java-options.learner = \"-Xmx1g\"")));
    assertTrue(
        notAList.getMessage().contains("verity.local.role-java-options.learner"),
        notAList.getMessage());
  }
}
