package verity.deploy.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import verity.actors.cluster.VerityNode;
import verity.actors.config.ConfigChecks;
import verity.deploy.cluster.DeploymentProfile;

/**
 * Builds a node's configuration from its sources, first wins: command-line flags, the file given
 * with {@code --config} (else {@code application.conf}), the deployment profile chosen by {@code
 * VERITY_PROFILE} (see {@link DeploymentProfile}), the selected suite's preset, the selected policy
 * kind's preset, then the defaults. Unknown keys under {@code verity} are refused, naming the key.
 */
public final class VerityConfig {
  static final String PRESETS = "verity.suite-presets";

  /** Settings a policy kind needs, under the suite's preset and over the defaults. */
  static final String POLICY_PRESETS = "verity.policy-presets";

  /** Maps whose keys are data, not settings: their insides are not checked against defaults. */
  private static final List<String> OPEN_SECTIONS =
      List.of(
          "verity.serialization.kryo.registrations",
          "verity.compute-dispatcher",
          "verity.reward.dispatcher",
          PRESETS);

  private VerityConfig() {}

  /**
   * @param flags settings from the command line, by configuration key
   * @param file a HOCON file given with {@code --config}, or null
   * @throws ConfigException naming the key or file at fault
   */
  public static Config load(Map<String, Object> flags, Path file) {
    return load(flags, file, DeploymentProfile.fromEnvironment(System.getenv()));
  }

  /**
   * As {@link #load(Map, Path)}, with the given deployment profile's settings layered under the
   * file's (or {@code application.conf}'s) and over the suite's preset and the defaults.
   */
  public static Config load(Map<String, Object> flags, Path file, DeploymentProfile profile) {
    Config overrides = ConfigFactory.parseMap(flags, "command-line flags");
    Config application;
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException.IO(
            ConfigFactory.empty().origin(), "--config " + file + ": no such file");
      }
      application =
          ConfigFactory.parseFile(
              file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } else {
      application = ConfigFactory.parseResourcesAnySyntax("application");
    }
    Config defaults = VerityNode.load(ConfigFactory.empty(), ConfigFactory.empty());
    Config user = overrides.withFallback(application);
    ConfigChecks.rejectUnknownKeys(user, defaults, "verity", OPEN_SECTIONS);

    String suite = user.withFallback(defaults).getString("verity.suite");
    Config preset = ConfigFactory.empty();
    if (defaults.hasPath(PRESETS + ".\"" + suite + "\"")) {
      preset = defaults.getConfig(PRESETS + ".\"" + suite + "\"").atPath("verity");
      ConfigChecks.rejectUnknownKeys(preset, defaults, "verity", OPEN_SECTIONS);
    }
    String kind = user.withFallback(preset).withFallback(defaults).getString("verity.policy.kind");
    if (defaults.hasPath(POLICY_PRESETS + ".\"" + kind + "\"")) {
      Config policyPreset =
          defaults.getConfig(POLICY_PRESETS + ".\"" + kind + "\"").atPath("verity");
      ConfigChecks.rejectUnknownKeys(policyPreset, defaults, "verity", OPEN_SECTIONS);
      preset = preset.withFallback(policyPreset);
    }
    Config config =
        VerityNode.load(
            overrides, application.withFallback(profile.settings()).withFallback(preset));
    if (profile == DeploymentProfile.K8S
        && config.getString("verity.persistence.url").isBlank()
        && config.getString("verity.persistence.driver").equals("org.postgresql.Driver")) {
      throw new ConfigException.Generic(
          "the k8s profile keeps the journal in PostgreSQL: set VERITY_DB_URL (or"
              + " verity.persistence.url) to its JDBC URL, e.g. jdbc:postgresql://host:5432/verity");
    }
    return config;
  }
}
