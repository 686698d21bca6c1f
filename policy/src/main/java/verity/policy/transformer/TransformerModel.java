package verity.policy.transformer;

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
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import verity.policy.SampledBatch;
import verity.policy.StagingBuffer;
import verity.policy.TrainingBatch;

/**
 * A Llama-family transformer replica on DJL, loaded from or saved to a Hugging Face directory
 * ({@code config.json} and safetensors): batched logits over left-padded rows and greedy decoding
 * with a KV cache. Every call works in a child manager closed before it returns. One replica
 * belongs to one thread at a time.
 */
public final class TransformerModel implements AutoCloseable {
  public static final String ENGINE = "PyTorch";
  public static final String CONFIG = "config.json";

  /** Checkpoint tensors Hugging Face models carry that are not parameters (recomputed here). */
  private static final String ROTARY_BUFFER = "rotary_emb.inv_freq";

  private final Model model;
  private final LlamaBlock block;
  private final ParameterStore inference;

  private TransformerModel(Model model, LlamaBlock block) {
    this.model = model;
    this.block = block;
    this.inference = new ParameterStore(model.getNDManager(), false);
  }

  /**
   * A freshly initialized model (Hugging Face's initialization); the same seed, the same weights.
   */
  public static TransformerModel fresh(TransformerConfig config, Device device, long seed) {
    LlamaBlock block = new LlamaBlock(config);
    Model model = Model.newInstance("verity-transformer", device, ENGINE);
    model.setBlock(block);
    synchronized (verity.policy.Policy.class) {
      // The engine's generator is global: seed and initialize as one step, under the one lock
      // every kind of policy seeds it under.
      Engine.getEngine(ENGINE).setRandomSeed((int) (seed ^ (seed >>> 32)));
      block.initialize(model.getNDManager(), DataType.FLOAT32, block.exampleInputShapes());
    }
    return new TransformerModel(model, block);
  }

  /**
   * Loads a Hugging Face directory: {@code config.json} and its safetensors, every tensor checked
   * against the shape the config implies before any is read.
   *
   * @throws CheckpointException naming the file and the problem
   */
  public static TransformerModel load(Path directory, Device device) {
    TransformerConfig config = TransformerConfig.read(directory.resolve(CONFIG));
    CheckpointTensors tensors = CheckpointTensors.open(directory);
    LlamaBlock block = new LlamaBlock(config);
    check(block, tensors);
    // A tensor made from a Java buffer lives in that (direct) buffer, which only a garbage
    // collection frees: each parameter is libtorch's own memory, filled through one reused buffer.
    StagingBuffer staging = new StagingBuffer();
    block.setInitializers(
        name ->
            (manager, shape, type) -> {
              NDArray parameter = manager.zeros(shape, DataType.FLOAT32);
              try (NDManager scratch = manager.newSubManager()) {
                staging.copy(tensors.read(name), 0, parameter, scratch);
              }
              return parameter;
            });
    Model model = Model.newInstance("verity-transformer", device, ENGINE);
    model.setBlock(block);
    try {
      block.initialize(model.getNDManager(), DataType.FLOAT32, block.exampleInputShapes());
    } catch (RuntimeException e) {
      // A tensor that cannot be read (its dtype, say) stops loading: free what was loaded.
      model.close();
      throw e;
    }
    return new TransformerModel(model, block);
  }

  private static void check(LlamaBlock block, CheckpointTensors tensors) {
    Map<String, Parameter> expected = block.parametersByName();
    for (Map.Entry<String, Parameter> e : expected.entrySet()) {
      SafetensorsFile.Entry entry = tensors.entry(e.getKey());
      if (entry == null) {
        throw new CheckpointException(
            tensors.directory(), "no tensor " + e.getKey() + ", which " + CONFIG + " implies");
      }
      long[] want = e.getValue().getShape().getShape();
      if (!Arrays.equals(entry.shape(), want)) {
        throw new CheckpointException(
            tensors.files().get(e.getKey()).file(),
            "tensor "
                + e.getKey()
                + " has shape "
                + Arrays.toString(entry.shape())
                + ", "
                + CONFIG
                + " implies "
                + Arrays.toString(want));
      }
    }
    Set<String> ignorable = Set.of("lm_head.weight");
    for (String name : tensors.files().keySet()) {
      boolean tiedHead = ignorable.contains(name) && block.config().tieWordEmbeddings();
      if (!expected.containsKey(name) && !name.endsWith(ROTARY_BUFFER) && !tiedHead) {
        throw new CheckpointException(
            tensors.files().get(name).file(),
            "tensor " + name + " is not part of the model " + CONFIG + " describes");
      }
    }
  }

  /** Writes {@code config.json} and {@code model.safetensors} (values stored as {@code dtype}). */
  public void save(Path directory, SafetensorsWriter.Dtype dtype) throws IOException {
    Files.createDirectories(directory);
    ObjectMapper json = new ObjectMapper();
    Files.writeString(
        directory.resolve(CONFIG),
        json.writerWithDefaultPrettyPrinter()
                .writeValueAsString(
                    block
                        .config()
                        .toJson()
                        .put(
                            "torch_dtype",
                            switch (dtype) {
                              case F32 -> "float32";
                              case F16 -> "float16";
                              case BF16 -> "bfloat16";
                            }))
            + "\n");
    List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
    block
        .parametersByName()
        .forEach(
            (name, p) ->
                tensors.add(
                    new SafetensorsWriter.Tensor(
                        name,
                        p.getArray().getShape().getShape(),
                        () -> p.getArray().toFloatArray())));
    SafetensorsWriter.write(
        directory.resolve(CheckpointTensors.SINGLE), tensors, dtype, Map.of("format", "pt"));
  }

  public TransformerConfig config() {
    return block.config();
  }

  public LlamaBlock block() {
    return block;
  }

  public Model model() {
    return model;
  }

  public long parameterCount() {
    long n = 0;
    for (Parameter p : block.parametersByName().values()) {
      n += p.getArray().size();
    }
    return n;
  }

  /**
   * Next-token logits at every position of every row, computed as one left-padded batch: {@code
   * [row][position][vocabulary]}, each row as long as its input.
   */
  public float[][][] logits(int[][] rows) {
    try (NDManager call = model.getNDManager().newSubManager()) {
      LeftPadded batch = LeftPadded.of(rows);
      NDArray logits =
          block.forward(
              inference, batch.ids(call), batch.positions(call), batch.keyValid(call), null, false);
      float[] flat = logits.toFloatArray();
      int width = batch.width();
      int v = config().vocabSize();
      float[][][] out = new float[rows.length][][];
      for (int r = 0; r < rows.length; r++) {
        int pad = width - rows[r].length;
        out[r] = new float[rows[r].length][];
        for (int p = 0; p < rows[r].length; p++) {
          int from = (r * width + pad + p) * v;
          out[r][p] = Arrays.copyOfRange(flat, from, from + v);
        }
      }
      return out;
    }
  }

  /** Starts a batch of multi-turn episodes from these prompts, one KV cache across turns. */
  public TransformerEpisodes startEpisodes(int[][] prompts) {
    return startEpisodes(prompts, null);
  }

  /**
   * As {@link #startEpisodes(int[][])}, with {@code logitMask} ({@code [V]}, 0 or a large negative
   * number per token) added to the tempered logits of every sampled token; {@code null} for none.
   */
  public TransformerEpisodes startEpisodes(int[][] prompts, float[] logitMask) {
    return new TransformerEpisodes(this, inference, model.getNDManager(), prompts, logitMask);
  }

  /**
   * Teacher-forcing inputs over the same masks as decoding: each prompt left-padded to the longest,
   * then the row's tokens (right-padded, their keys masked), position ids counting from the
   * prompt's first real token. {@link verity.policy.Policy#completionLogProbs} turns the logits of
   * {@code block().forward(store, batch.inputs(), training)} into the tokens' log-probs.
   *
   * @param tokens each row's tokens after its prompt: the policy's and, in multi-turn episodes, the
   *     environment's
   * @param sampled which of them the policy sampled (the loss counts only those)
   */
  public TrainingBatch trainingBatch(
      NDManager manager, int[][] prompts, int[][] tokens, boolean[][] sampled) {
    int n = prompts.length;
    int c = 1;
    for (int[] t : tokens) {
      c = Math.max(c, t.length);
    }
    LeftPadded left = LeftPadded.of(prompts);
    int p = left.width();
    int width = p + c - 1;
    long[] ids = new long[n * width];
    long[] positions = new long[n * width];
    float[] keyValid = new float[n * width];
    long[] targets = new long[n * c];
    float[] mask = new float[n * c];
    long[] next = left.nextPositions();
    for (int i = 0; i < n; i++) {
      if (sampled[i].length != tokens[i].length) {
        throw new IllegalArgumentException(
            "row "
                + i
                + ": "
                + tokens[i].length
                + " tokens but "
                + sampled[i].length
                + " mask entries");
      }
      int at = i * width;
      for (int t = 0; t < p; t++) {
        ids[at + t] = left.idsRows()[i][t];
        positions[at + t] = left.positionRows()[i][t];
        keyValid[at + t] = left.keyValidRows()[i][t];
      }
      for (int t = 0; t < c - 1; t++) {
        boolean real = t < tokens[i].length;
        ids[at + p + t] = real ? tokens[i][t] : 0;
        positions[at + p + t] = next[i] + t;
        keyValid[at + p + t] = real ? 1f : 0f;
      }
      for (int t = 0; t < c; t++) {
        targets[i * c + t] = t < tokens[i].length ? tokens[i][t] : 0;
        mask[i * c + t] = t < tokens[i].length && sampled[i][t] ? 1f : 0f;
      }
    }
    Shape shape = new Shape(n, width);
    return new TrainingBatch(
        new NDList(
            manager.create(ids, shape),
            manager.create(positions, shape),
            manager.create(keyValid, shape)),
        manager.create(targets, new Shape(n, c, 1)),
        manager.create(mask, new Shape(n, c)),
        p,
        null);
  }

  /**
   * The most likely continuation of each prompt, decoded with a KV cache: up to {@code
   * maxNewTokens} tokens, a row ending after the first end-of-sequence token it produces.
   */
  public int[][] greedy(int[][] prompts, int maxNewTokens) {
    return generate(prompts, maxNewTokens, new TokenSampler(0, 1), null).completions();
  }

  /**
   * Continues each prompt with tokens drawn by {@code sampler}, decoding with a KV cache: up to
   * {@code maxNewTokens} tokens, a row ending after the first end-of-sequence token it draws. Each
   * token's log-prob is the one under the distribution it was drawn from.
   */
  public SampledBatch generate(
      int[][] prompts, int maxNewTokens, TokenSampler sampler, SplittableRandom random) {
    int n = prompts.length;
    int[][] tokens = new int[n][maxNewTokens];
    float[][] logProbs = new float[n][maxNewTokens];
    int[] lengths = new int[n];
    boolean[] done = new boolean[n];
    Set<Integer> eos = Set.copyOf(config().eosTokenIds());
    int v = config().vocabSize();
    try (NDManager call = model.getNDManager().newSubManager();
        KvCache cache = new KvCache(call, config().layers())) {
      LeftPadded batch = LeftPadded.of(prompts);
      float[][] keyValid = batch.keyValidRows();
      long[] nextPosition = batch.nextPositions();
      long[][] ids = batch.idsRows();
      long[][] positions = batch.positionRows();
      for (int t = 0; t < maxNewTokens; t++) {
        float[] last;
        try (NDManager step = call.newSubManager()) {
          NDArray logits =
              block.forwardLast(
                  inference,
                  step.create(ids),
                  step.create(positions),
                  step.create(keyValid),
                  cache);
          last = logits.get(":, -1, :").toFloatArray();
        }
        ids = new long[n][1];
        positions = new long[n][1];
        for (int i = 0; i < n; i++) {
          positions[i][0] = nextPosition[i]++;
          if (done[i]) {
            continue;
          }
          TokenSampler.Draw draw =
              sampler.draw(Arrays.copyOfRange(last, i * v, (i + 1) * v), random);
          tokens[i][lengths[i]] = draw.token();
          logProbs[i][lengths[i]] = draw.logProb();
          lengths[i]++;
          ids[i][0] = draw.token();
          done[i] = eos.contains(draw.token());
        }
        if (allTrue(done)) {
          break;
        }
        keyValid = LeftPadded.extend(keyValid);
      }
    }
    int[][] completions = new int[n][];
    float[][] recorded = new float[n][];
    for (int i = 0; i < n; i++) {
      completions[i] = Arrays.copyOf(tokens[i], lengths[i]);
      recorded[i] = Arrays.copyOf(logProbs[i], lengths[i]);
    }
    return new SampledBatch(completions, recorded);
  }

  private static boolean allTrue(boolean[] flags) {
    for (boolean f : flags) {
      if (!f) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    model.close();
  }
}
