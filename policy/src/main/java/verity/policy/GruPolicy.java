package verity.policy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;

/**
 * The small built-in policy: a GRU over a suite's token alphabet, on DJL ({@link GruPolicyBlock}).
 * A replica belongs to one actor and is used by one thread at a time; every call works in a child
 * {@link NDManager} that is closed before it returns, so no native memory outlives a call.
 */
public final class GruPolicy implements Policy {

  private final PolicySpec spec;
  private final Model model;
  private final GruPolicyBlock block;
  private final ParameterStore inference;
  private final BlockParameters parameters;
  private PolicyVersion version = PolicyVersion.INITIAL;

  private GruPolicy(PolicySpec spec, Model model, GruPolicyBlock block) {
    this.spec = spec;
    this.model = model;
    this.block = block;
    this.inference = new ParameterStore(model.getNDManager(), false);
    this.parameters = new BlockParameters(model);
  }

  /** A freshly initialized replica; the same seed gives the same initial weights. */
  public static GruPolicy create(PolicySpec spec, Device device, long seed) {
    Engine engine = Engine.getEngine(ENGINE);
    Model model = Model.newInstance("verity-policy", device, ENGINE);
    GruPolicyBlock block = new GruPolicyBlock(spec);
    model.setBlock(block);
    synchronized (Policy.class) {
      // The engine's generator is global: seed and initialize as one step, under the one lock
      // every kind of policy seeds it under.
      engine.setRandomSeed((int) (seed ^ (seed >>> 32)));
      block.initialize(model.getNDManager(), DataType.FLOAT32, block.exampleInputShapes());
    }
    return new GruPolicy(spec, model, block);
  }

  @Override
  public PolicySpec spec() {
    return spec;
  }

  @Override
  public PolicyVersion version() {
    return version;
  }

  /** The DJL model, for the learner's trainer. */
  @Override
  public Model model() {
    return model;
  }

  /** Input shapes that initialize the block (for {@code Trainer.initialize}). */
  public Shape[] exampleInputShapes() {
    return block.exampleInputShapes();
  }

  @Override
  public long parameterCount() {
    return parameters.count();
  }

  /** Starts a batch of (multi-turn) episodes from these prompts; close it when done. */
  @Override
  public Episodes startEpisodes(int[][] prompts) {
    return new EpisodeGenerator(spec, block, inference, model.getNDManager(), prompts);
  }

  /** Teacher-forcing inputs for single-turn (prompt, completion) pairs, in {@code manager}. */
  @Override
  public TrainingBatch trainingBatch(NDManager manager, int[][] prompts, int[][] completions) {
    return TrainingBatch.of(
        manager, spec, prompts, completions, TrainingBatch.allSampled(completions));
  }

  /**
   * Teacher-forcing inputs for episodes: each row's tokens after the prompt, and which of them the
   * policy sampled.
   */
  @Override
  public TrainingBatch trainingBatch(
      NDManager manager, int[][] prompts, int[][] tokens, boolean[][] sampled) {
    return TrainingBatch.of(manager, spec, prompts, tokens, sampled);
  }

  /** Forward pass for inference (no gradient) over a training batch: logits {@code [N, S, V]}. */
  @Override
  public NDArray logits(TrainingBatch batch) {
    return block.forward(inference, batch.inputs(), false).get(0);
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

  @Override
  public void close() {
    model.close();
  }
}
