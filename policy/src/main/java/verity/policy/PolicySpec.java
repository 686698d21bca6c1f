package verity.policy;

/**
 * The shape of a policy: what the suite dictates (vocabulary, prompt and completion lengths, the
 * special tokens) and what configuration sizes (embedding, hidden state, layers). Every replica of
 * a run is built from the same spec, so their weights line up.
 */
public record PolicySpec(
    int vocabSize,
    int padToken,
    int bosToken,
    int eosToken,
    int maxPromptTokens,
    int maxCompletionTokens,
    int embedding,
    int hidden,
    int layers) {

  public PolicySpec {
    require(vocabSize > 3, "vocabulary needs more than the 3 special tokens");
    for (int t : new int[] {padToken, bosToken, eosToken}) {
      require(t >= 0 && t < vocabSize, "special token " + t + " outside the vocabulary");
    }
    require(maxPromptTokens >= 2, "maxPromptTokens must be >= 2 (begin-of-sequence and one more)");
    require(maxCompletionTokens >= 1, "maxCompletionTokens must be >= 1");
    require(embedding >= 1 && hidden >= 1 && layers >= 1, "embedding, hidden, layers must be >= 1");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
