package verity.policy.transformer;

/**
 * The sizes of a fresh transformer policy ({@code verity.policy.transformer}): its vocabulary and
 * special tokens come from the suite, these from configuration.
 *
 * @param hidden model width
 * @param intermediate width of the SwiGLU feed-forward layer
 * @param layers decoder layers
 * @param heads query heads
 * @param kvHeads key-value heads (fewer than {@code heads}: grouped-query attention)
 * @param ropeTheta rotary base
 */
public record TransformerSizes(
    int hidden, int intermediate, int layers, int heads, int kvHeads, double ropeTheta) {
  public TransformerSizes {
    if (hidden % heads != 0) {
      throw new IllegalArgumentException(
          "verity.policy.transformer.hidden " + hidden + " is not a multiple of heads " + heads);
    }
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException(
          "verity.policy.transformer.heads " + heads + " is not a multiple of kv-heads " + kvHeads);
    }
    if ((hidden / heads) % 2 != 0) {
      throw new IllegalArgumentException(
          "verity.policy.transformer: hidden ÷ heads = "
              + hidden / heads
              + " is odd; rotary needs pairs");
    }
  }
}
