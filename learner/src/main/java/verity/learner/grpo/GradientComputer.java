package verity.learner.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import verity.policy.Policy;
import verity.policy.Scalars;
import verity.policy.TrainingBatch;

/**
 * Computes the gradient of the objective on a slice of a batch with one policy replica, left in the
 * replica's parameters for the optimizer (or read out flat, in the policy's export order, for a
 * learner shard to send), plus the loss sums. The loss of the slice is divided by the token count
 * of the WHOLE batch ({@code normalizer}), so the gradients of all slices add up to the gradient of
 * the batch's token-level mean; when decoupled PPO's filter dropped tokens, {@link
 * Result#perKeptToken} rescales the sum to the mean over the tokens kept. DJL allows one open
 * gradient collector per JVM: callers run this on the single-threaded training dispatcher.
 *
 * <p>Per token t with mask m (the policy's own tokens), current log-prob l, behaviour b, proximal
 * p, reference q, advantage A, clip epsilon and cap c, the loss is the sum over kept tokens of
 *
 * <pre>
 *   -s_t - entropyCoefficient * H_t + klCoefficient * (exp(q - l) - (q - l) - 1)
 *   PPO:           s_t = min(r A, clip(r, 1-eps, 1+eps) A),      r = exp(l - b)
 *   decoupled PPO: s_t = w_t min(r A, clip(r, 1-eps, 1+eps) A),  r = exp(l - p), w = exp(p - b)
 *                  truncate: w_t = min(w, c), every token kept
 *                  filter:   tokens with w > c are not kept (dropped from loss and token count)
 * </pre>
 */
public final class GradientComputer {
  private final Policy policy;
  private final ParameterStore parameters;

  /** What a slice contributes to a step, its gradient read out flat (for learner shards). */
  public record Result(float[] gradient, LossSums sums) {
    /**
     * This (reduced) gradient, computed with the loss divided by {@code normalizer}, rescaled in
     * place to the loss divided by the tokens kept: the same when nothing was dropped.
     */
    public Result perKeptToken(double normalizer) {
      double scale = keptScale(sums, normalizer);
      if (scale != 1) {
        for (int i = 0; i < gradient.length; i++) {
          gradient[i] *= (float) scale;
        }
      }
      return this;
    }
  }

  /**
   * The factor that turns a gradient of the loss divided by {@code normalizer} into one of the loss
   * divided by the tokens kept: 1 when nothing was dropped.
   */
  public static double keptScale(LossSums sums, double normalizer) {
    double kept = sums.kept();
    double n = Math.max(1.0, normalizer);
    return kept > 0 && kept != n ? n / kept : 1;
  }

  public GradientComputer(Policy policy) {
    this.policy = policy;
    this.parameters = new ParameterStore(policy.model().getNDManager(), false);
    policy.enableGradients();
  }

  /**
   * The gradient of the RL objective on these samples, the proximal policy being the current, read
   * out flat (what a learner shard sends).
   */
  public Result compute(List<TrainingSample> samples, Objective objective, double normalizer) {
    if (samples.isEmpty()) {
      return new Result(new float[Math.toIntExact(policy.parameterCount())], LossSums.ZERO);
    }
    LossSums sums = backward(samples, objective, normalizer, HeldLogProbs.NONE);
    return new Result(policy.gradients(), sums);
  }

  /**
   * The gradient of the RL objective on these samples with these proximal and reference terms, left
   * in the replica's parameters (where the optimizer reads it, on the device); returns the loss
   * sums. No samples leave a zero gradient.
   */
  public LossSums backward(
      List<TrainingSample> samples, Objective objective, double normalizer, HeldLogProbs held) {
    if (samples.isEmpty()) {
      policy.zeroGradients();
      return LossSums.ZERO;
    }
    int n = samples.size();
    int c = width(samples);
    float[] behaviour = new float[n * c];
    float[] advantages = new float[n];
    for (int i = 0; i < n; i++) {
      TrainingSample s = samples.get(i);
      System.arraycopy(s.behaviourLogProbs(), 0, behaviour, i * c, s.behaviourLogProbs().length);
      advantages[i] = s.advantage() * s.weight();
    }
    try (NDManager step = policy.model().getNDManager().newSubManager()) {
      TrainingBatch batch = batch(step, samples);
      Terms in =
          new Terms(
              step.create(behaviour, new Shape(n, c)),
              step.create(advantages, new Shape(n, 1)),
              held.proximal() == null ? null : padded(step, held.proximal(), n, c),
              held.reference() == null ? null : padded(step, held.reference(), n, c));
      return backward(batch, objective, normalizer, in);
    }
  }

  /**
   * The current policy's log-prob of every token of these samples, without a gradient: the proximal
   * policy's, computed once before a batch's first update (and the reference policy's, with its
   * weights loaded).
   */
  public List<float[]> logProbs(List<TrainingSample> samples, float temperature) {
    List<float[]> out = new ArrayList<>(samples.size());
    if (samples.isEmpty()) {
      return out;
    }
    int c = width(samples);
    try (NDManager call = policy.model().getNDManager().newSubManager()) {
      TrainingBatch batch = batch(call, samples);
      float[] flat =
          Policy.completionLogProbs(policy.logits(batch), batch, temperature).get(0).toFloatArray();
      for (int i = 0; i < samples.size(); i++) {
        out.add(java.util.Arrays.copyOfRange(flat, i * c, i * c + samples.get(i).tokens().length));
      }
    }
    return out;
  }

  /**
   * The gradient of the cross-entropy of these demonstrations (supervised warm start), left in the
   * replica's parameters; returns the loss sums.
   */
  public LossSums supervised(int[][] prompts, int[][] completions, double normalizer) {
    int n = prompts.length;
    try (NDManager step = policy.model().getNDManager().newSubManager()) {
      TrainingBatch batch = policy.trainingBatch(step, prompts, completions);
      int c = (int) batch.length();
      Terms none = new Terms(step.zeros(new Shape(n, c)), step.zeros(new Shape(n, 1)), null, null);
      return backward(batch, Objective.supervised(), normalizer, none);
    }
  }

  /**
   * The per-token inputs besides the current log-probs: {@code [N, C]}, advantages {@code [N, 1]}.
   */
  private record Terms(NDArray behaviour, NDArray advantage, NDArray proximal, NDArray reference) {}

  private static int width(List<TrainingSample> samples) {
    int c = 1;
    for (TrainingSample s : samples) {
      c = Math.max(c, s.tokens().length);
    }
    return c;
  }

  private TrainingBatch batch(NDManager manager, List<TrainingSample> samples) {
    int n = samples.size();
    int[][] prompts = new int[n][];
    int[][] tokens = new int[n][];
    boolean[][] sampled = new boolean[n][];
    for (int i = 0; i < n; i++) {
      TrainingSample s = samples.get(i);
      prompts[i] = s.prompt();
      tokens[i] = s.tokens();
      sampled[i] = s.sampled();
    }
    return policy.trainingBatch(manager, prompts, tokens, sampled);
  }

  private static NDArray padded(NDManager manager, List<float[]> rows, int n, int c) {
    float[] flat = new float[n * c];
    for (int i = 0; i < n; i++) {
      float[] row = rows.get(i);
      System.arraycopy(row, 0, flat, i * c, Math.min(c, row.length));
    }
    return manager.create(flat, new Shape(n, c));
  }

  private LossSums backward(TrainingBatch batch, Objective objective, double normalizer, Terms in) {
    LossSums sums;
    try (GradientCollector collector =
        policy.model().getNDManager().getEngine().newGradientCollector()) {
      policy.zeroGradients();
      NDArray logits = policy.model().getBlock().forward(parameters, batch.inputs(), true).get(0);
      NDList lp = Policy.completionLogProbs(logits, batch, objective.temperature());
      TokenLoss t = new TokenLoss(objective, lp.get(0), lp.get(1), batch.mask(), in);
      NDArray total = t.loss.mul(t.kept).sum();
      collector.backward(Scalars.div(total, (float) Math.max(1.0, normalizer)));
      sums = t.sums(total);
    }
    return sums;
  }

  /** The per-token loss of one forward pass and the masks and ratios its metrics need. */
  private static final class TokenLoss {
    private final Objective o;
    private final NDArray logp;
    private final NDArray entropy;
    private final NDArray mask;
    private final Terms in;

    /** Tokens in the loss: the mask, less the tokens the filter dropped. */
    private final NDArray kept;

    /** The ratio the objective clips, without gradient; null for the supervised loss. */
    private NDArray clipRatio;

    /** 1 where the behaviour importance weight exceeds the cap (decoupled PPO), else 0. */
    private NDArray over;

    private NDArray k3;
    private final NDArray loss;

    TokenLoss(Objective o, NDArray logp, NDArray entropy, NDArray mask, Terms in) {
      this.o = o;
      this.logp = logp;
      this.entropy = entropy;
      this.mask = mask;
      this.in = in;
      if (o.kind() == Objective.Kind.SUPERVISED) {
        kept = mask;
        loss = logp.neg();
        return;
      }
      float lo = (float) (1 - o.clip());
      float hi = (float) (1 + o.clip());
      NDArray surrogate;
      if (o.kind() == Objective.Kind.PPO) {
        NDArray ratio = logp.sub(in.behaviour()).mul(mask).exp();
        clipRatio = ratio.stopGradient();
        surrogate = ratio.mul(in.advantage()).minimum(ratio.clip(lo, hi).mul(in.advantage()));
        kept = mask;
      } else {
        // With one update per batch the proximal policy is the current one: equal in value.
        NDArray proximal = in.proximal() != null ? in.proximal() : logp.stopGradient();
        NDArray ratio = logp.sub(proximal).mul(mask).exp();
        clipRatio = ratio.stopGradient();
        NDArray logWeight = proximal.sub(in.behaviour()).mul(mask);
        float logCap = (float) Math.log(o.isTruncation());
        over = logWeight.gt(logCap).toType(mask.getDataType(), false).mul(mask);
        // exp(min(log w, log c)) = min(w, c), and never infinite for a token about to be dropped.
        NDArray weight = Scalars.minimum(logWeight, logCap).exp();
        if (o.behaviourWeight() == Objective.BehaviourWeight.FILTER) {
          kept = mask.sub(over);
        } else {
          kept = mask;
        }
        surrogate =
            ratio.mul(in.advantage()).minimum(ratio.clip(lo, hi).mul(in.advantage())).mul(weight);
      }
      NDArray l = surrogate.neg().sub(Scalars.mul(entropy, (float) o.entropyCoefficient()));
      if (in.reference() != null && o.klCoefficient() > 0) {
        NDArray d = in.reference().sub(logp).mul(mask); // log(pi_ref / pi_theta)
        k3 = Scalars.sub(d.exp().sub(d), 1f);
        l = l.add(Scalars.mul(k3, (float) o.klCoefficient()));
      }
      loss = l;
    }

    LossSums sums(NDArray total) {
      double tokens = mask.sum().getFloat();
      double lossSum = total.stopGradient().getFloat();
      if (o.kind() == Objective.Kind.SUPERVISED) {
        return new LossSums(tokens, tokens, lossSum, 0, 0, 0, 0, 0, 0);
      }
      double keptTokens = kept.sum().getFloat();
      NDArray logRatio = logp.stopGradient().sub(in.behaviour()).mul(mask);
      double kl = logRatio.exp().sub(1f).sub(logRatio).mul(kept).sum().getFloat();
      double clipped =
          clipRatio
              .sub(1f)
              .abs()
              .gt((float) o.clip())
              .toType(mask.getDataType(), false)
              .mul(kept)
              .sum()
              .getFloat();
      double ent = entropy.stopGradient().mul(kept).sum().getFloat();
      double overCap = over == null ? 0 : over.sum().getFloat();
      boolean filter = o.behaviourWeight() == Objective.BehaviourWeight.FILTER;
      double refKl = k3 == null ? 0 : k3.stopGradient().mul(kept).sum().getFloat();
      return new LossSums(
          tokens,
          keptTokens,
          lossSum,
          kl,
          clipped,
          ent,
          filter ? 0 : overCap,
          filter ? overCap : 0,
          refKl);
    }
  }
}
