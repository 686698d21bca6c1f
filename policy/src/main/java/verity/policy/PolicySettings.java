package verity.policy;

import ai.djl.Device;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import verity.actors.config.ConfigChecks;
import verity.policy.transformer.LanguageModel;
import verity.policy.transformer.TransformerPolicy;
import verity.policy.transformer.TransformerSizes;

/**
 * {@code verity.policy}: which kind of network, how large, where it runs and how it samples.
 *
 * @param embedding the GRU's token embedding width
 * @param hidden the GRU's hidden state size
 * @param layers the GRU's layers
 * @param transformer the sizes of a fresh transformer ({@code verity.policy.transformer})
 * @param model a Hugging Face directory every replica is loaded from, when set
 * @param chatTemplate whether prompts go through that directory's chat template
 * @param maxCompletionTokens a cap below the suite's tokens per turn, 0 for none
 */
public record PolicySettings(
    Kind kind,
    Optional<Path> model,
    boolean chatTemplate,
    int maxCompletionTokens,
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
    Kind kind = ConfigChecks.oneOf(config, p + "kind", Kind.class);
    String model = config.getString(p + "model").trim();
    if (!model.isEmpty() && kind != Kind.TRANSFORMER) {
      throw new ConfigException.BadValue(
          p + "model", "a model directory is a transformer: set verity.policy.kind = transformer");
    }
    return new PolicySettings(
        kind,
        model.isEmpty() ? Optional.empty() : Optional.of(Path.of(model)),
        config.getBoolean(p + "chat-template"),
        ConfigChecks.intAtLeast(config, p + "max-completion-tokens", 0),
        ConfigChecks.positiveInt(config, p + "embedding"),
        ConfigChecks.positiveInt(config, p + "hidden"),
        ConfigChecks.positiveInt(config, p + "layers"),
        sizes,
        DeviceChoice.parse(config.getString(p + "device"), p + "device"),
        (float) ConfigChecks.doubleIn(config, p + "temperature", 0.05, 10.0));
  }

  /**
   * The policy's tokenizer: the model directory's when one is set, else one token per character of
   * the suite's alphabet.
   *
   * @throws verity.policy.transformer.CheckpointException naming a bad model directory's file
   */
  public Tokenizer tokenizer(List<String> alphabet) {
    return model.isPresent()
        ? LanguageModel.loadTokenizer(model.get(), chatTemplate)
        : new CharacterTokenizer(alphabet);
  }

  /**
   * A replica of this kind for {@code spec}: loaded from the model directory when one is set, else
   * fresh (the same seed gives the same weights).
   */
  public Policy newReplica(PolicySpec spec, Device resolvedDevice, long seed) {
    return switch (kind) {
      case GRU -> GruPolicy.create(spec, resolvedDevice, seed);
      case TRANSFORMER ->
          model.isPresent()
              ? TransformerPolicy.load(spec, model.get(), resolvedDevice)
              : TransformerPolicy.create(spec, transformer, resolvedDevice, seed);
    };
  }

  /**
   * The full spec for a suite: its lengths in characters become token limits for this tokenizer. A
   * prompt a loaded model's tokenizer writes carries the chat template's tokens and its own special
   * tokens, so its limit grows by what an empty prompt takes (and one token of slack for a
   * tokenizer that marks the start of the text). A turn is at most {@code maxCompletionTokens}, or
   * {@code verity.policy.max-completion-tokens} where that is lower.
   */
  public PolicySpec spec(
      Tokenizer tokenizer, int maxPromptTokens, int maxCompletionTokens, int[] actionTokens) {
    int promptLimit =
        model.isPresent() ? maxPromptTokens + tokenizer.promptIds("").length + 1 : maxPromptTokens;
    int completionLimit =
        this.maxCompletionTokens > 0
            ? Math.min(maxCompletionTokens, this.maxCompletionTokens)
            : maxCompletionTokens;
    return new PolicySpec(
        tokenizer, promptLimit, completionLimit, embedding, hidden, layers, actionTokens);
  }
}
