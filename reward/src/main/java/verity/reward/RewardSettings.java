package verity.reward;

import com.typesafe.config.Config;
import verity.actors.config.ConfigChecks;

/** {@code verity.reward}: how many verifiers a reward node runs. */
public record RewardSettings(int verifiers) {

  public static RewardSettings from(Config config) {
    return new RewardSettings(ConfigChecks.intAtLeast(config, "verity.reward.verifiers", 0));
  }
}
