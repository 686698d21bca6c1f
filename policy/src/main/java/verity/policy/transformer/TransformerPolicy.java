package verity.policy.transformer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.List;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.policy.BlockParameters;
import verity.policy.Episodes;
import verity.policy.Policy;
import verity.policy.PolicySpec;
import verity.policy.TrainingBatch;

/**
 * A fresh Llama-family transformer as a {@link Policy} over a suite's token alphabet: the same
 * vocabulary, special tokens and action mask as the GRU, so the cluster runs it on every built-in
 * suite unchanged. Prompts get the begin-of-sequence token in front and are left-padded with their
 * padding masked, so a row's log-probs do not depend on its batch-mates; multi-turn episodes keep
 * one KV cache across turns.
 */
public final class TransformerPolicy implements Policy {
  private final PolicySpec spec;
  private final TransformerModel model;
  private final ParameterStore inference;
  private final BlockParameters parameters;
  private final float[] logitMask;
  private PolicyVersion version = PolicyVersion.INITIAL;

  private TransformerPolicy(PolicySpec spec, TransformerModel model) {
    if (spec.padToken() != TransformerEpisodes.PAD) {
      throw new IllegalArgumentException(
          "a transformer policy pads with token "
              + TransformerEpisodes.PAD
              + ", the suite with "
              + spec.padToken());
    }
    this.spec = spec;
    this.model = model;
    this.inference = new ParameterStore(model.model().getNDManager(), false);
    this.parameters = new BlockParameters(model.model());
    this.logitMask = spec.masksActions() ? spec.logitMask() : null;
  }

  /** A freshly initialized replica; the same seed gives the same initial weights. */
  public static TransformerPolicy create(
      PolicySpec spec, TransformerSizes sizes, Device device, long seed) {
    TransformerConfig config =
        TransformerConfig.builder(TransformerConfig.LLAMA)
            .vocabSize(spec.vocabSize())
            .hiddenSize(sizes.hidden())
            .intermediateSize(sizes.intermediate())
            .layers(sizes.layers())
            .heads(sizes.heads(), sizes.kvHeads())
            .rope(sizes.ropeTheta(), null)
            .tieWordEmbeddings(true)
            .specialTokens(spec.bosToken(), List.of(spec.eosToken()))
            .build();
    return new TransformerPolicy(spec, TransformerModel.fresh(config, device, seed));
  }

  /** The transformer itself (for export). */
  public TransformerModel transformer() {
    return model;
  }

  @Override
  public PolicySpec spec() {
    return spec;
  }

  @Override
  public PolicyVersion version() {
    return version;
  }

  @Override
  public Model model() {
    return model.model();
  }

  @Override
  public long parameterCount() {
    return parameters.count();
  }

  @Override
  public Episodes startEpisodes(int[][] prompts) {
    return model.startEpisodes(withBos(prompts), logitMask);
  }

  @Override
  public TrainingBatch trainingBatch(NDManager manager, int[][] prompts, int[][] completions) {
    boolean[][] sampled = new boolean[completions.length][];
    for (int i = 0; i < completions.length; i++) {
      sampled[i] = new boolean[completions[i].length];
      java.util.Arrays.fill(sampled[i], true);
    }
    return trainingBatch(manager, prompts, completions, sampled);
  }

  @Override
  public TrainingBatch trainingBatch(
      NDManager manager, int[][] prompts, int[][] tokens, boolean[][] sampled) {
    TrainingBatch batch = model.trainingBatch(manager, withBos(prompts), tokens, sampled);
    if (logitMask == null) {
      return batch;
    }
    return new TrainingBatch(
        batch.inputs(),
        batch.targets(),
        batch.mask(),
        batch.promptTokens(),
        manager.create(logitMask));
  }

  @Override
  public NDArray logits(TrainingBatch batch) {
    return model.block().forward(inference, batch.inputs(), false).get(0);
  }

  @Override
  public void enableGradients() {
    parameters.enableGradients();
  }

  @Override
  public float[] gradients() {
    return parameters.gradients();
  }

  @Override
  public void zeroGradients() {
    parameters.zeroGradients();
  }

  @Override
  public FlatWeights exportWeights(PolicyVersion newVersion) {
    FlatWeights out = parameters.export(newVersion);
    version = newVersion;
    return out;
  }

  @Override
  public void importWeights(FlatWeights weights) {
    parameters.importValues(weights);
    version = weights.header().version();
  }

  /** Each prompt with the begin-of-sequence token in front, within the suite's prompt limit. */
  private int[][] withBos(int[][] prompts) {
    int[][] out = new int[prompts.length][];
    for (int i = 0; i < prompts.length; i++) {
      if (prompts[i].length > spec.maxPromptTokens() - 1) {
        throw new IllegalArgumentException(
            "prompt of "
                + prompts[i].length
                + " tokens exceeds the limit of "
                + (spec.maxPromptTokens() - 1));
      }
      out[i] = new int[prompts[i].length + 1];
      out[i][0] = spec.bosToken();
      System.arraycopy(prompts[i], 0, out[i], 1, prompts[i].length);
    }
    return out;
  }

  @Override
  public void close() {
    model.close();
  }
}
