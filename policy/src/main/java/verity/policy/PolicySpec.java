package verity.policy;

/**
 * The shape of a policy: its tokenizer (vocabulary and special tokens), what the suite dictates
 * (prompt and action lengths, which tokens are actions) and what configuration sizes (the GRU's
 * embedding, hidden state, layers). Every replica of a run is built from the same spec, so their
 * weights line up and sampling and training see the same action mask.
 */
public record PolicySpec(
    Tokenizer tokenizer,
    int maxPromptTokens,
    int maxCompletionTokens,
    int embedding,
    int hidden,
    int layers,
    int[] actionTokens) {

  /** A spec whose policy may emit any token of the vocabulary. */
  public PolicySpec(
      Tokenizer tokenizer,
      int maxPromptTokens,
      int maxCompletionTokens,
      int embedding,
      int hidden,
      int layers) {
    this(tokenizer, maxPromptTokens, maxCompletionTokens, embedding, hidden, layers, new int[0]);
  }

  public PolicySpec {
    java.util.Objects.requireNonNull(tokenizer, "tokenizer");
    int vocabSize = tokenizer.vocabSize();
    require(vocabSize > 3, "vocabulary needs more than the 3 special tokens");
    for (int t : new int[] {tokenizer.padToken(), tokenizer.bosToken(), tokenizer.eosToken()}) {
      require(t >= 0 && t < vocabSize, "special token " + t + " outside the vocabulary");
    }
    require(maxPromptTokens >= 2, "maxPromptTokens must be >= 2 (begin-of-sequence and one more)");
    require(maxCompletionTokens >= 1, "maxCompletionTokens must be >= 1");
    require(embedding >= 1 && hidden >= 1 && layers >= 1, "embedding, hidden, layers must be >= 1");
    actionTokens = actionTokens.clone();
    for (int t : actionTokens) {
      require(t >= 0 && t < vocabSize, "action token " + t + " outside the vocabulary");
    }
  }

  public int vocabSize() {
    return tokenizer.vocabSize();
  }

  public int padToken() {
    return tokenizer.padToken();
  }

  public int bosToken() {
    return tokenizer.bosToken();
  }

  public int eosToken() {
    return tokenizer.eosToken();
  }

  /** True when the policy may only emit some tokens (the others are masked out of its logits). */
  public boolean masksActions() {
    return actionTokens.length > 0;
  }

  /** Per token: 0 where the policy may emit it, a large negative number where it may not. */
  public float[] logitMask() {
    float[] mask = new float[vocabSize()];
    if (masksActions()) {
      java.util.Arrays.fill(mask, MASKED);
      for (int t : actionTokens) {
        mask[t] = 0f;
      }
    }
    return mask;
  }

  /** Added to the logit of a token the policy may not emit: exp() of it is exactly 0. */
  public static final float MASKED = -1e9f;

  @Override
  public int[] actionTokens() {
    return actionTokens.clone();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
