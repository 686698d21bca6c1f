package verity.policy;

import java.util.Arrays;

/**
 * Lays a prompt out as the model sees it: left-padded to the spec's fixed prompt length, with the
 * begin-of-sequence token right before the prompt. A fixed layout means a row's log-probs do not
 * depend on which other prompts share its batch, so recomputed log-probs match sampled ones.
 */
final class PromptLayout {
  private PromptLayout() {}

  static int[] layout(PolicySpec spec, int[] prompt) {
    int p = spec.maxPromptTokens();
    if (prompt.length > p - 1) {
      throw new IllegalArgumentException(
          "prompt of " + prompt.length + " tokens exceeds the limit of " + (p - 1));
    }
    int[] out = new int[p];
    Arrays.fill(out, 0, p - prompt.length - 1, spec.padToken());
    out[p - prompt.length - 1] = spec.bosToken();
    System.arraycopy(prompt, 0, out, p - prompt.length, prompt.length);
    return out;
  }
}
