package verity.policy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.SplittableRandom;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;

/**
 * One replica of an autoregressive policy on DJL, as the rollout workers, the evaluator and the
 * learner use it: batched sampling that records the log-prob of each sampled token, greedy
 * decoding, multi-turn episodes, teacher-forcing batches whose logits give the same log-probs under
 * autograd, and weights exported and imported as a versioned, checksummed whole. Two kinds: {@link
 * GruPolicy}, the small built-in one, and the Llama-family transformer ({@code
 * verity.policy.transformer}). A replica belongs to one actor and is used by one thread at a time.
 */
public interface Policy extends AutoCloseable {
  String ENGINE = "PyTorch";

  /** A fresh GRU replica; the same seed gives the same initial weights. */
  static Policy create(PolicySpec spec, Device device, long seed) {
    return GruPolicy.create(spec, device, seed);
  }

  PolicySpec spec();

  PolicyVersion version();

  /**
   * The DJL model, for the learner's trainer: its block's forward takes {@link
   * TrainingBatch#inputs()}.
   */
  Model model();

  long parameterCount();

  /**
   * Samples one completion per prompt at this temperature (up to the spec's completion length),
   * recording the log-probability of each sampled token under the tempered distribution.
   */
  default SampledBatch sample(int[][] prompts, float temperature, SplittableRandom random) {
    try (Episodes episodes = startEpisodes(prompts)) {
      boolean[] all = new boolean[prompts.length];
      Arrays.fill(all, true);
      int[][] completions =
          episodes.sampleActions(all, spec().maxCompletionTokens(), temperature, random);
      float[][] logProbs = new float[prompts.length][];
      for (int i = 0; i < prompts.length; i++) {
        logProbs[i] = Arrays.copyOf(episodes.episode(i).logProbs(), completions[i].length);
      }
      return new SampledBatch(completions, logProbs);
    }
  }

  /** The most likely completion of each prompt. */
  default int[][] greedy(int[][] prompts) {
    return sample(prompts, 1f, null).completions();
  }

  /** Starts a batch of (multi-turn) episodes from these prompts; close it when done. */
  Episodes startEpisodes(int[][] prompts);

  /** Teacher-forcing inputs for single-turn (prompt, completion) pairs, in {@code manager}. */
  TrainingBatch trainingBatch(NDManager manager, int[][] prompts, int[][] completions);

  /**
   * Teacher-forcing inputs for episodes: each row's tokens after the prompt, and which of them the
   * policy sampled.
   */
  TrainingBatch trainingBatch(
      NDManager manager, int[][] prompts, int[][] tokens, boolean[][] sampled);

  /** Forward pass for inference (no gradient) over a training batch: logits {@code [N, S, V]}. */
  NDArray logits(TrainingBatch batch);

  /** The current policy's log-probability of each token of each completion (no gradient). */
  default float[][] logProbs(int[][] prompts, int[][] completions, float temperature) {
    try (NDManager call = model().getNDManager().newSubManager()) {
      TrainingBatch batch = trainingBatch(call, prompts, completions);
      float[] flat = completionLogProbs(logits(batch), batch, temperature).get(0).toFloatArray();
      int c = (int) batch.length();
      float[][] out = new float[prompts.length][];
      for (int i = 0; i < prompts.length; i++) {
        out[i] = Arrays.copyOfRange(flat, i * c, i * c + completions[i].length);
      }
      return out;
    }
  }

  /** Marks every parameter as trainable: gradients are recorded for them inside a collector. */
  void enableGradients();

  /**
   * The parameters as tensors on the policy's device, for the learner's optimizer, which updates
   * them in place.
   */
  BlockParameters parameters();

  /** The gradient of every parameter after a backward pass, flat in export order. */
  float[] gradients();

  /** Sets every gradient to zero (PyTorch accumulates them across backward passes). */
  void zeroGradients();

  /** Exports the current weights as a flat, checksummed array stamped with {@code newVersion}. */
  FlatWeights exportWeights(PolicyVersion newVersion);

  /**
   * Replaces every parameter with the given version's values.
   *
   * @throws IllegalArgumentException when the weights do not fit this architecture or their
   *     checksum does not hold; the replica is left unchanged
   */
  void importWeights(FlatWeights weights);

  @Override
  void close();

  /**
   * Log-probabilities of the completion tokens and the entropy of the tempered distribution at each
   * completion position, both {@code [N, C]}, from the logits of a forward pass over {@link
   * TrainingBatch#inputs()}. Differentiable: call it inside a gradient collector to train.
   */
  static NDList completionLogProbs(NDArray logits, TrainingBatch batch, float temperature) {
    long c = batch.length();
    int from = batch.promptTokens() - 1;
    NDArray positions =
        Scalars.div(logits.get(":, " + from + ":" + (from + c) + ", :"), temperature);
    if (batch.logitMask() != null) {
      positions = positions.add(batch.logitMask());
    }
    NDArray logSoftmax = positions.logSoftmax(-1);
    NDArray taken = logSoftmax.gather(batch.targets(), 2).squeeze(2);
    NDArray entropy = logSoftmax.exp().mul(logSoftmax).sum(new int[] {2}).neg();
    return new NDList(taken, entropy);
  }
}
