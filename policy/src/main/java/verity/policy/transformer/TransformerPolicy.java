package verity.policy.transformer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.policy.BlockParameters;
import verity.policy.CharacterTokenizer;
import verity.policy.Episodes;
import verity.policy.Policy;
import verity.policy.PolicySpec;
import verity.policy.TrainingBatch;

/**
 * A Llama-family transformer as a {@link Policy}: either fresh, over the character tokenizer of a
 * suite's alphabet (the same vocabulary, special tokens and action mask as the GRU), or loaded from
 * a Hugging Face directory with that directory's tokenizer. Prompts are left-padded with their
 * padding masked, so a row's log-probs do not depend on its batch-mates; multi-turn episodes keep
 * one KV cache across turns. A fresh policy puts the begin-of-sequence token in front of each
 * prompt; a loaded one reads prompts as its tokenizer wrote them, special tokens included.
 */
public final class TransformerPolicy implements Policy {
  private final PolicySpec spec;
  private final TransformerModel model;
  private final ParameterStore inference;
  private final BlockParameters parameters;
  private final float[] logitMask;
  private final boolean addsBos;
  private PolicyVersion version = PolicyVersion.INITIAL;

  private TransformerPolicy(PolicySpec spec, TransformerModel model, boolean addsBos) {
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
    if (model.config().vocabSize() != spec.vocabSize()) {
      throw new IllegalArgumentException(
          "the model's embedding has "
              + model.config().vocabSize()
              + " tokens, the policy's tokenizer "
              + spec.vocabSize());
    }
    this.logitMask = spec.masksActions() ? spec.logitMask() : null;
    this.addsBos = addsBos;
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
    return new TransformerPolicy(spec, TransformerModel.fresh(config, device, seed), true);
  }

  /**
   * A replica loaded from a Hugging Face directory whose tokenizer made {@code spec} ({@link
   * LanguageModel#loadTokenizer}).
   *
   * @throws CheckpointException naming the file and the problem
   */
  public static TransformerPolicy load(PolicySpec spec, Path directory, Device device) {
    TransformerModel model = TransformerModel.load(directory, device);
    try {
      return new TransformerPolicy(spec, model, false);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
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
    return model.startEpisodes(promptsAsRead(prompts), logitMask);
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
    TrainingBatch batch = model.trainingBatch(manager, promptsAsRead(prompts), tokens, sampled);
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
  public BlockParameters parameters() {
    return parameters;
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

  /**
   * Each prompt as the model reads it, within the spec's prompt limit: with the begin-of-sequence
   * token in front for a fresh policy, as given for a loaded one.
   */
  private int[][] promptsAsRead(int[][] prompts) {
    int lead = addsBos ? 1 : 0;
    int[][] out = new int[prompts.length][];
    for (int i = 0; i < prompts.length; i++) {
      if (prompts[i].length > spec.maxPromptTokens() - lead) {
        throw new IllegalArgumentException(
            "prompt of "
                + prompts[i].length
                + " tokens exceeds the limit of "
                + (spec.maxPromptTokens() - lead));
      }
      if (!addsBos) {
        out[i] = prompts[i];
        continue;
      }
      out[i] = new int[prompts[i].length + 1];
      out[i][0] = spec.bosToken();
      System.arraycopy(prompts[i], 0, out[i], 1, prompts[i].length);
    }
    return out;
  }

  /**
   * Writes this replica, with its current weights, as a Hugging Face directory ({@code
   * config.json}, {@code model.safetensors} in fp32, {@code tokenizer.json}, {@code
   * tokenizer_config.json}, {@code generation_config.json}): a loaded model's tokenizer files are
   * copied from where it came from, a fresh one's character tokenizer is written out.
   */
  public void export(Path directory) throws IOException {
    Files.createDirectories(directory);
    model.save(directory, SafetensorsWriter.Dtype.F32);
    if (spec.tokenizer() instanceof ModelTokenizer loaded) {
      Path source = loaded.text().file().getParent();
      for (String file :
          List.of(
              TextTokenizer.FILE,
              LanguageModel.TOKENIZER_CONFIG,
              LanguageModel.GENERATION_CONFIG)) {
        Path from = source.resolve(file);
        if (Files.isRegularFile(from) && !from.equals(directory.resolve(file))) {
          Files.copy(from, directory.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } else if (spec.tokenizer() instanceof CharacterTokenizer characters) {
      characters.write(directory);
      LanguageModel.writeTokenizerConfig(
          directory,
          CharacterTokenizer.SPECIALS.get(CharacterTokenizer.BOS),
          CharacterTokenizer.SPECIALS.get(CharacterTokenizer.EOS),
          CharacterTokenizer.SPECIALS.get(CharacterTokenizer.PAD),
          model.config().maxPositions());
    } else {
      throw new IllegalStateException(
          "cannot export a tokenizer of type " + spec.tokenizer().getClass().getSimpleName());
    }
    if (!Files.isRegularFile(directory.resolve(LanguageModel.GENERATION_CONFIG))) {
      LanguageModel.writeGenerationConfig(directory, model.config());
    }
  }

  @Override
  public void close() {
    model.close();
  }
}
