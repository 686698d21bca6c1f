package verity.learner.grpo;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-token log-probs computed once per batch and held fixed over its updates, one array per sample
 * in the batch's order.
 *
 * @param proximal the proximal policy's (decoupled PPO with more than one update per batch); null
 *     when the proximal policy is the current one (a single update: the values are equal)
 * @param reference the frozen reference policy's (KL penalty); null without one
 */
public record HeldLogProbs(List<float[]> proximal, List<float[]> reference) {
  public static final HeldLogProbs NONE = new HeldLogProbs(null, null);

  /** The held log-probs of these samples of the batch, in this order. */
  public HeldLogProbs select(int[] indices) {
    return new HeldLogProbs(pick(proximal, indices), pick(reference, indices));
  }

  private static List<float[]> pick(List<float[]> all, int[] indices) {
    if (all == null) {
      return null;
    }
    List<float[]> out = new ArrayList<>(indices.length);
    for (int i : indices) {
      out.add(all.get(i));
    }
    return out;
  }
}
