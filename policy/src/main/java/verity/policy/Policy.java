package verity.policy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import verity.actors.ids.PolicyVersion;
import verity.actors.weights.FlatWeights;
import verity.actors.weights.WeightsHeader;

/**
 * One replica of the autoregressive policy on DJL: batched sampling with per-token log-probs,
 * greedy decoding, teacher-forced log-probs for the loss, and weight export and import. A replica
 * belongs to one actor and is used by one thread at a time; every call works in a child {@link
 * NDManager} that is closed before it returns, so no native memory outlives a call.
 */
public final class Policy implements AutoCloseable {
  public static final String ENGINE = "PyTorch";

  private final PolicySpec spec;
  private final Model model;
  private final GruPolicyBlock block;
  private final ParameterStore inference;
  private PolicyVersion version = PolicyVersion.INITIAL;

  private Policy(PolicySpec spec, Model model, GruPolicyBlock block) {
    this.spec = spec;
    this.model = model;
    this.block = block;
    this.inference = new ParameterStore(model.getNDManager(), false);
  }

  /** A freshly initialized replica; the same seed gives the same initial weights. */
  public static Policy create(PolicySpec spec, Device device, long seed) {
    Engine engine = Engine.getEngine(ENGINE);
    Model model = Model.newInstance("verity-policy", device, ENGINE);
    GruPolicyBlock block = new GruPolicyBlock(spec);
    model.setBlock(block);
    synchronized (Policy.class) {
      // The engine's generator is global: seed and initialize as one step.
      engine.setRandomSeed((int) (seed ^ (seed >>> 32)));
      block.initialize(model.getNDManager(), DataType.FLOAT32, block.exampleInputShapes());
    }
    return new Policy(spec, model, block);
  }

  public PolicySpec spec() {
    return spec;
  }

  public PolicyVersion version() {
    return version;
  }

  /** The DJL model, for the learner's trainer. */
  public Model model() {
    return model;
  }

  /** Input shapes that initialize the block (for {@code Trainer.initialize}). */
  public Shape[] exampleInputShapes() {
    return block.exampleInputShapes();
  }

  public long parameterCount() {
    long n = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      n += p.getValue().getArray().size();
    }
    return n;
  }

  /**
   * Samples one completion per prompt at this temperature, recording the log-probability of each
   * sampled token under the tempered distribution.
   */
  public SampledBatch sample(int[][] prompts, float temperature, SplittableRandom random) {
    return singleTurn(prompts, temperature, random);
  }

  /** The most likely completion of each prompt. */
  public int[][] greedy(int[][] prompts) {
    return singleTurn(prompts, 1f, null).completions();
  }

  /** Starts a batch of (multi-turn) episodes from these prompts; close it when done. */
  public EpisodeGenerator startEpisodes(int[][] prompts) {
    return new EpisodeGenerator(spec, block, inference, model.getNDManager(), prompts);
  }

  private SampledBatch singleTurn(int[][] prompts, float temperature, SplittableRandom random) {
    try (EpisodeGenerator episodes = startEpisodes(prompts)) {
      boolean[] all = new boolean[prompts.length];
      java.util.Arrays.fill(all, true);
      int[][] completions =
          episodes.sampleActions(all, spec.maxCompletionTokens(), temperature, random);
      float[][] logProbs = new float[prompts.length][];
      for (int i = 0; i < prompts.length; i++) {
        float[] recorded = episodes.episode(i).logProbs();
        logProbs[i] = java.util.Arrays.copyOf(recorded, completions[i].length);
      }
      return new SampledBatch(completions, logProbs);
    }
  }

  /** Teacher-forcing inputs for single-turn (prompt, completion) pairs, in {@code manager}. */
  public TrainingBatch trainingBatch(NDManager manager, int[][] prompts, int[][] completions) {
    return TrainingBatch.of(
        manager, spec, prompts, completions, TrainingBatch.allSampled(completions));
  }

  /**
   * Teacher-forcing inputs for episodes: each row's tokens after the prompt, and which of them the
   * policy sampled.
   */
  public TrainingBatch trainingBatch(
      NDManager manager, int[][] prompts, int[][] tokens, boolean[][] sampled) {
    return TrainingBatch.of(manager, spec, prompts, tokens, sampled);
  }

  /**
   * Log-probabilities of the completion tokens and the entropy of the tempered distribution at each
   * completion position, both {@code [N, C]}, from the logits of a forward pass over {@link
   * TrainingBatch#inputs()}. Differentiable: call it inside a gradient collector to train.
   */
  public static NDList completionLogProbs(NDArray logits, TrainingBatch batch, float temperature) {
    long c = batch.length();
    int from = batch.promptTokens() - 1;
    NDArray positions = logits.get(":, " + from + ":" + (from + c) + ", :").div(temperature);
    if (batch.logitMask() != null) {
      positions = positions.add(batch.logitMask());
    }
    NDArray logSoftmax = positions.logSoftmax(-1);
    NDArray taken = logSoftmax.gather(batch.targets(), 2).squeeze(2);
    NDArray entropy = logSoftmax.exp().mul(logSoftmax).sum(new int[] {2}).neg();
    return new NDList(taken, entropy);
  }

  /** Forward pass for inference (no gradient) over a training batch: logits {@code [N, S, V]}. */
  public NDArray logits(TrainingBatch batch) {
    return block.forward(inference, batch.inputs(), false).get(0);
  }

  /** The current policy's log-probability of each token of each completion (no gradient). */
  public float[][] logProbs(int[][] prompts, int[][] completions, float temperature) {
    try (NDManager call = model.getNDManager().newSubManager()) {
      TrainingBatch batch = trainingBatch(call, prompts, completions);
      float[] flat = completionLogProbs(logits(batch), batch, temperature).get(0).toFloatArray();
      int c = (int) batch.length();
      float[][] out = new float[prompts.length][];
      for (int i = 0; i < prompts.length; i++) {
        out[i] = java.util.Arrays.copyOfRange(flat, i * c, i * c + completions[i].length);
      }
      return out;
    }
  }

  /** Marks every parameter as trainable: gradients are recorded for them inside a collector. */
  public void enableGradients() {
    for (Pair<String, Parameter> p : block.getParameters()) {
      p.getValue().getArray().setRequiresGradient(true);
    }
  }

  /** The gradient of every parameter after a backward pass, flat in export order. */
  public float[] gradients() {
    float[] flat = new float[Math.toIntExact(parameterCount())];
    int offset = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      try (NDArray g = p.getValue().getArray().getGradient()) {
        float[] part = g.toFloatArray();
        System.arraycopy(part, 0, flat, offset, part.length);
        offset += part.length;
      }
    }
    return flat;
  }

  /** Sets every gradient to zero (PyTorch accumulates them across backward passes). */
  public void zeroGradients() {
    // The gradient wrappers, and the scalar that the indexed fill creates on the wrapper's manager,
    // live in a scratch manager closed here: on the model's own manager they would pile up, two
    // arrays per parameter per step, for the life of the replica.
    try (NDManager scratch = model.getNDManager().newSubManager()) {
      for (Pair<String, Parameter> p : block.getParameters()) {
        NDArray g = p.getValue().getArray().getGradient();
        g.attach(scratch);
        // Fill in place, never multiply: 0 * NaN is NaN, and a skipped non-finite step would
        // otherwise poison every later one. Never set(Buffer) either: that points the gradient's
        // storage at a direct buffer owned by this short-lived wrapper, which the GC then frees
        // under PyTorch (a use-after-free that crashed runs after a few dozen steps).
        g.set(new ai.djl.ndarray.index.NDIndex(":"), 0f);
      }
    }
  }

  /** Exports the current weights as a flat, checksummed array stamped with {@code newVersion}. */
  public FlatWeights exportWeights(PolicyVersion newVersion) {
    List<String> names = new ArrayList<>();
    List<int[]> shapes = new ArrayList<>();
    List<float[]> parts = new ArrayList<>();
    int total = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray array = p.getValue().getArray();
      names.add(p.getKey());
      long[] dims = array.getShape().getShape();
      int[] shape = new int[dims.length];
      for (int i = 0; i < dims.length; i++) {
        shape[i] = Math.toIntExact(dims[i]);
      }
      shapes.add(shape);
      float[] values = array.toFloatArray();
      parts.add(values);
      total += values.length;
    }
    float[] flat = new float[total];
    int offset = 0;
    for (float[] part : parts) {
      System.arraycopy(part, 0, flat, offset, part.length);
      offset += part.length;
    }
    version = newVersion;
    return FlatWeights.of(newVersion, names, shapes, flat);
  }

  /**
   * Replaces every parameter with the given version's values.
   *
   * @throws IllegalArgumentException when the weights do not fit this architecture or their
   *     checksum does not hold; the replica is left unchanged
   */
  public void importWeights(FlatWeights weights) {
    WeightsHeader header = weights.header();
    FlatWeights mine = layout();
    if (!mine.header().sameLayout(header)) {
      throw new IllegalArgumentException(
          "weights " + header.version() + " do not fit this policy: " + header.names());
    }
    if (!weights.checksumMatches()) {
      throw new IllegalArgumentException("weights " + header.version() + ": checksum mismatch");
    }
    int offset = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray array = p.getValue().getArray();
      int size = Math.toIntExact(array.size());
      array.set(FloatBuffer.wrap(weights.values(), offset, size));
      offset += size;
    }
    version = header.version();
  }

  /** Names and shapes of this replica's parameters, with empty values. */
  private FlatWeights layout() {
    List<String> names = new ArrayList<>();
    List<int[]> shapes = new ArrayList<>();
    int total = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      names.add(p.getKey());
      long[] dims = p.getValue().getArray().getShape().getShape();
      int[] shape = new int[dims.length];
      for (int i = 0; i < dims.length; i++) {
        shape[i] = Math.toIntExact(dims[i]);
      }
      shapes.add(shape);
      total += Math.toIntExact(p.getValue().getArray().size());
    }
    float[] zeros = new float[total];
    return new FlatWeights(new WeightsHeader(version, names, shapes, total, 0), zeros);
  }

  @Override
  public void close() {
    model.close();
  }
}
