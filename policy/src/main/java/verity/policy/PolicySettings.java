package verity.policy;

import ai.djl.Device;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import verity.actors.config.ConfigChecks;
import verity.policy.transformer.TransformerPolicy;
import verity.policy.transformer.TransformerSizes;

/**
 * {@code verity.policy}: which kind of network, how large, where it runs and how it samples.
 *
 * @param embedding the GRU's token embedding width
 * @param hidden the GRU's hidden state size
 * @param layers the GRU's layers
 * @param transformer the sizes of a fresh transformer ({@code verity.policy.transformer})
 */
public record PolicySettings(
    Kind kind,
    int embedding,
    int hidden,
    int layers,
    TransformerSizes transformer,
    DeviceChoice device,
    float temperature) {

  /** The kinds of policy a run can train. */
  public enum Kind {
    GRU,
    TRANSFORMER
  }

  public static PolicySettings from(Config config) {
    String p = "verity.policy.";
    String t = p + "transformer.";
    TransformerSizes sizes;
    try {
      sizes =
          new TransformerSizes(
              ConfigChecks.positiveInt(config, t + "hidden"),
              ConfigChecks.positiveInt(config, t + "intermediate"),
              ConfigChecks.positiveInt(config, t + "layers"),
              ConfigChecks.positiveInt(config, t + "heads"),
              ConfigChecks.positiveInt(config, t + "kv-heads"),
              ConfigChecks.positiveDouble(config, t + "rope-theta"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(t + "hidden", e.getMessage());
    }
    return new PolicySettings(
        ConfigChecks.oneOf(config, p + "kind", Kind.class),
        ConfigChecks.positiveInt(config, p + "embedding"),
        ConfigChecks.positiveInt(config, p + "hidden"),
        ConfigChecks.positiveInt(config, p + "layers"),
        sizes,
        DeviceChoice.parse(config.getString(p + "device"), p + "device"),
        (float) ConfigChecks.doubleIn(config, p + "temperature", 0.05, 10.0));
  }

  /** A fresh replica of this kind for {@code spec}; the same seed gives the same weights. */
  public Policy newReplica(PolicySpec spec, Device resolvedDevice, long seed) {
    return switch (kind) {
      case GRU -> GruPolicy.create(spec, resolvedDevice, seed);
      case TRANSFORMER -> TransformerPolicy.create(spec, transformer, resolvedDevice, seed);
    };
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
