package verity.policy;

/**
 * Turns a suite's text into a policy's token ids and the policy's tokens back into text. It belongs
 * to the policy: the GRU and a fresh transformer use a {@link CharacterTokenizer} built from the
 * suite's alphabet; a transformer loaded from a Hugging Face directory uses that directory's {@code
 * tokenizer.json} (and chat template). Suites never see ids.
 */
public interface Tokenizer {

  /** How many ids the policy's logits cover (at least every id the tokenizer produces). */
  int vocabSize();

  int padToken();

  int bosToken();

  /** The token that ends an action; sampling stops there and {@link #decode} reads up to it. */
  int eosToken();

  /**
   * The ids of a text, without special tokens.
   *
   * @throws IllegalArgumentException naming a character the tokenizer cannot encode
   */
  int[] encode(String text);

  /**
   * A prompt's ids as the policy reads them, before the policy's own layout: by default the text's
   * ids; a model with a chat template renders the text as a user turn first.
   */
  default int[] promptIds(String text) {
    return encode(text);
  }

  /** The text of ids up to (not including) the first end-of-sequence; special tokens left out. */
  String decode(int[] ids);
}
