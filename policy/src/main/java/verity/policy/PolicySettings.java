package verity.policy;

import com.typesafe.config.Config;
import verity.actors.config.ConfigChecks;

/** {@code verity.policy}: how large the network is, where it runs and how it samples. */
public record PolicySettings(
    int embedding, int hidden, int layers, DeviceChoice device, float temperature) {

  public static PolicySettings from(Config config) {
    String p = "verity.policy.";
    return new PolicySettings(
        ConfigChecks.positiveInt(config, p + "embedding"),
        ConfigChecks.positiveInt(config, p + "hidden"),
        ConfigChecks.positiveInt(config, p + "layers"),
        DeviceChoice.parse(config.getString(p + "device"), p + "device"),
        (float) ConfigChecks.doubleIn(config, p + "temperature", 0.05, 10.0));
  }

  /** The full spec for a suite with these token facts. */
  public PolicySpec spec(
      int vocabSize,
      int pad,
      int bos,
      int eos,
      int maxPromptTokens,
      int maxCompletionTokens,
      int[] actionTokens) {
    return new PolicySpec(
        vocabSize,
        pad,
        bos,
        eos,
        maxPromptTokens,
        maxCompletionTokens,
        embedding,
        hidden,
        layers,
        actionTokens);
  }
}
