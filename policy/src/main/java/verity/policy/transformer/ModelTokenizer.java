package verity.policy.transformer;

import java.util.List;
import java.util.Optional;
import verity.policy.Tokenizer;

/**
 * A Hugging Face model directory's tokenizer as a policy's {@link Tokenizer}: prompts go through
 * the chat template when the model has one (unless turned off) and carry the special tokens the
 * template or the tokenizer's post-processor writes, so the policy adds none; actions end at the
 * model's first end-of-sequence id; the logits cover the model's embedding, which may be larger
 * than the tokenizer's vocabulary.
 */
public final class ModelTokenizer implements Tokenizer {
  private final TextTokenizer text;
  private final Optional<ChatTemplate> template;
  private final TransformerConfig config;

  ModelTokenizer(TextTokenizer text, Optional<ChatTemplate> template, TransformerConfig config) {
    if (config.eosTokenIds().isEmpty()) {
      throw new IllegalArgumentException(
          "config.json names no eos_token_id: a policy needs a token that ends its actions");
    }
    this.text = text;
    this.template = template;
    this.config = config;
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  /** Padding is masked out of attention, so any id serves; the transformer pads with this one. */
  @Override
  public int padToken() {
    return TransformerEpisodes.PAD;
  }

  /** The model's begin-of-sequence id, or its end-of-sequence id for models without one (Qwen2). */
  @Override
  public int bosToken() {
    return config.bosTokenId() >= 0 ? config.bosTokenId() : eosToken();
  }

  @Override
  public int eosToken() {
    return config.eosTokenIds().get(0);
  }

  /** True when prompts are rendered through the model's chat template. */
  public boolean usesChatTemplate() {
    return template.isPresent();
  }

  @Override
  public int[] encode(String s) {
    return text.encode(s, false);
  }

  /**
   * The prompt as one user turn followed by the assistant's header when the model has a chat
   * template (the template writes the special tokens itself, as {@code transformers}' {@code
   * apply_chat_template} does), else the text with the special tokens the tokenizer adds.
   */
  @Override
  public int[] promptIds(String s) {
    if (template.isEmpty()) {
      return text.encode(s, true);
    }
    String rendered = template.get().render(List.of(new ChatTemplate.Message("user", s)), true);
    return text.encode(rendered, false);
  }

  @Override
  public String decode(int[] ids) {
    int end = 0;
    while (end < ids.length && !config.eosTokenIds().contains(ids[end])) {
      end++;
    }
    return text.decode(java.util.Arrays.copyOf(ids, end), true);
  }

  /** The tokenizer file, for an export that copies it. */
  TextTokenizer text() {
    return text;
  }
}
