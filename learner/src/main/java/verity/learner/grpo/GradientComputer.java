package verity.learner.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import verity.policy.Policy;
import verity.policy.TrainingBatch;

/**
 * Computes the gradient of the objective on a slice of a batch with one policy replica, as a flat
 * array in the policy's export order, plus the loss sums. The loss of the slice is divided by the
 * token count of the WHOLE batch ({@code normalizer}), so the gradients of all slices add up to the
 * gradient of the batch's token-level mean. DJL allows one open gradient collector per JVM: callers
 * run this on the single-threaded training dispatcher.
 */
public final class GradientComputer {
  private final Policy policy;
  private final ParameterStore parameters;

  /** What a slice contributes to a step. */
  public record Result(float[] gradient, LossSums sums) {}

  public GradientComputer(Policy policy) {
    this.policy = policy;
    this.parameters = new ParameterStore(policy.model().getNDManager(), false);
    policy.enableGradients();
  }

  /** The gradient of the RL objective on these samples. */
  public Result compute(List<TrainingSample> samples, Objective objective, double normalizer) {
    if (samples.isEmpty()) {
      return new Result(new float[Math.toIntExact(policy.parameterCount())], LossSums.ZERO);
    }
    int n = samples.size();
    int[][] prompts = new int[n][];
    int[][] tokens = new int[n][];
    boolean[][] sampled = new boolean[n][];
    int c = 1;
    for (TrainingSample s : samples) {
      c = Math.max(c, s.tokens().length);
    }
    float[] behaviour = new float[n * c];
    float[] advantages = new float[n];
    for (int i = 0; i < n; i++) {
      TrainingSample s = samples.get(i);
      prompts[i] = s.prompt();
      tokens[i] = s.tokens();
      sampled[i] = s.sampled();
      System.arraycopy(s.behaviourLogProbs(), 0, behaviour, i * c, s.behaviourLogProbs().length);
      advantages[i] = s.advantage() * s.weight();
    }
    try (NDManager step = policy.model().getNDManager().newSubManager()) {
      TrainingBatch batch = policy.trainingBatch(step, prompts, tokens, sampled);
      NDArray old = step.create(behaviour, new Shape(n, c));
      NDArray adv = step.create(advantages, new Shape(n, 1));
      return backward(batch, objective, normalizer, old, adv);
    }
  }

  /** The gradient of the cross-entropy of these demonstrations (supervised warm start). */
  public Result supervised(int[][] prompts, int[][] completions, double normalizer) {
    int n = prompts.length;
    try (NDManager step = policy.model().getNDManager().newSubManager()) {
      TrainingBatch batch = policy.trainingBatch(step, prompts, completions);
      int c = (int) batch.length();
      return backward(
          batch,
          Objective.supervised(),
          normalizer,
          step.zeros(new Shape(n, c)),
          step.zeros(new Shape(n, 1)));
    }
  }

  private Result backward(
      TrainingBatch batch, Objective objective, double normalizer, NDArray old, NDArray adv) {
    LossSums sums;
    try (GradientCollector collector =
        policy.model().getNDManager().getEngine().newGradientCollector()) {
      policy.zeroGradients();
      NDArray logits = policy.model().getBlock().forward(parameters, batch.inputs(), true).get(0);
      NDList lp = Policy.completionLogProbs(logits, batch, objective.temperature());
      NDArray logp = lp.get(0);
      NDArray entropy = lp.get(1);
      NDArray mask = batch.mask();
      NDArray tokenLoss = tokenLoss(objective, logp, entropy, old, adv, mask);
      NDArray total = tokenLoss.mul(mask).sum();
      collector.backward(total.div((float) Math.max(1.0, normalizer)));
      sums = sums(objective, total, logp, entropy, old, mask);
    }
    return new Result(policy.gradients(), sums);
  }

  private static NDArray tokenLoss(
      Objective o, NDArray logp, NDArray entropy, NDArray old, NDArray adv, NDArray mask) {
    if (o.kind() == Objective.Kind.SUPERVISED) {
      return logp.neg();
    }
    float lo = (float) (1 - o.clip());
    float hi = (float) (1 + o.clip());
    NDArray surrogate;
    if (o.kind() == Objective.Kind.PPO) {
      NDArray ratio = logp.sub(old).mul(mask).exp();
      surrogate = ratio.mul(adv).minimum(ratio.clip(lo, hi).mul(adv));
    } else {
      NDArray proximal = logp.stopGradient();
      NDArray ratio = logp.sub(proximal).exp(); // 1 in value, the policy gradient in derivative
      NDArray isWeight = proximal.sub(old).mul(mask).exp().minimum((float) o.isTruncation());
      surrogate = ratio.mul(adv).minimum(ratio.clip(lo, hi).mul(adv)).mul(isWeight);
    }
    return surrogate.neg().sub(entropy.mul((float) o.entropyCoefficient()));
  }

  private static LossSums sums(
      Objective o, NDArray total, NDArray logp, NDArray entropy, NDArray old, NDArray mask) {
    NDArray current = logp.stopGradient();
    NDArray logRatio = current.sub(old).mul(mask);
    NDArray ratio = logRatio.exp();
    double tokens = mask.sum().getFloat();
    double loss = total.stopGradient().getFloat();
    if (o.kind() == Objective.Kind.SUPERVISED) {
      return new LossSums(tokens, loss, 0, 0, 0, 0);
    }
    double kl = ratio.sub(1f).sub(logRatio).mul(mask).sum().getFloat();
    double clipped =
        ratio
            .sub(1f)
            .abs()
            .gt((float) o.clip())
            .toType(mask.getDataType(), false)
            .mul(mask)
            .sum()
            .getFloat();
    double ent = entropy.stopGradient().mul(mask).sum().getFloat();
    double truncated =
        o.kind() == Objective.Kind.DECOUPLED_PPO
            ? logRatio
                .gt((float) Math.log(o.isTruncation()))
                .toType(mask.getDataType(), false)
                .mul(mask)
                .sum()
                .getFloat()
            : 0;
    return new LossSums(tokens, loss, kl, clipped, ent, truncated);
  }
}
