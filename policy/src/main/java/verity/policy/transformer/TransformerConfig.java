package verity.policy.transformer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The architecture of a Llama-family transformer as a Hugging Face {@code config.json} gives it
 * ({@code LlamaForCausalLM}, {@code Qwen2ForCausalLM}, {@code MistralForCausalLM}). Reading a
 * config refuses, with one line naming the key, anything that would change the computation in a way
 * Verity does not implement, rather than run a different model than the one asked for.
 *
 * @param headDim size of one attention head (the config's {@code head_dim}, else hidden ÷ heads)
 * @param qkvBias whether the query, key and value projections have biases (Qwen2, or Llama's {@code
 *     attention_bias})
 * @param outputBias whether the attention's output projection has a bias (Llama's {@code
 *     attention_bias})
 * @param eosTokenIds every end-of-sequence id (the config may give one or a list)
 * @param bosTokenId beginning-of-sequence id, or -1 when the config has none
 */
public record TransformerConfig(
    String architecture,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tieWordEmbeddings,
    boolean qkvBias,
    boolean outputBias,
    int maxPositions,
    int bosTokenId,
    List<Integer> eosTokenIds) {

  public static final String LLAMA = "LlamaForCausalLM";
  public static final String QWEN2 = "Qwen2ForCausalLM";
  public static final String MISTRAL = "MistralForCausalLM";
  private static final Set<String> ARCHITECTURES = Set.of(LLAMA, QWEN2, MISTRAL);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Rotary scaling: {@code linear} divides every frequency by {@code factor}; {@code llama3} (Llama
   * 3.1 and later) divides low frequencies, keeps high ones and blends between.
   */
  public record RopeScaling(
      String type,
      double factor,
      double lowFreqFactor,
      double highFreqFactor,
      int originalMaxPositions) {}

  public TransformerConfig {
    eosTokenIds = List.copyOf(eosTokenIds);
    if (!ARCHITECTURES.contains(architecture)) {
      throw new IllegalArgumentException("architecture " + architecture + " is not supported");
    }
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException(
          "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("head_dim " + headDim + " is odd; rotary needs pairs");
    }
    boolean biasesFit =
        switch (architecture) {
          case QWEN2 -> qkvBias && !outputBias;
          case MISTRAL -> !qkvBias && !outputBias;
          default -> qkvBias == outputBias;
        };
    if (!biasesFit) {
      throw new IllegalArgumentException(
          architecture
              + " cannot have query/key/value biases "
              + qkvBias
              + " and output bias "
              + outputBias);
    }
  }

  /** A configuration built key by key, for a fresh model; unset keys take Llama's defaults. */
  public static Builder builder(String architecture) {
    return new Builder(architecture);
  }

  /** Builds a {@link TransformerConfig} for a fresh model. */
  public static final class Builder {
    private final String architecture;
    private int vocabSize = 256;
    private int hiddenSize = 64;
    private int intermediateSize = 172;
    private int layers = 2;
    private int heads = 4;
    private int kvHeads = 4;
    private double rmsNormEps = 1e-6;
    private double ropeTheta = 10_000.0;
    private RopeScaling ropeScaling;
    private boolean tieWordEmbeddings;
    private boolean attentionBias;
    private int maxPositions = 2048;
    private int bosTokenId = -1;
    private List<Integer> eosTokenIds = List.of();

    private Builder(String architecture) {
      this.architecture = architecture;
    }

    public Builder vocabSize(int v) {
      vocabSize = v;
      return this;
    }

    public Builder hiddenSize(int v) {
      hiddenSize = v;
      return this;
    }

    public Builder intermediateSize(int v) {
      intermediateSize = v;
      return this;
    }

    public Builder layers(int v) {
      layers = v;
      return this;
    }

    /** Query heads and key-value heads (fewer key-value heads is grouped-query attention). */
    public Builder heads(int queries, int keyValues) {
      heads = queries;
      kvHeads = keyValues;
      return this;
    }

    public Builder rmsNormEps(double v) {
      rmsNormEps = v;
      return this;
    }

    public Builder rope(double theta, RopeScaling scaling) {
      ropeTheta = theta;
      ropeScaling = scaling;
      return this;
    }

    public Builder tieWordEmbeddings(boolean v) {
      tieWordEmbeddings = v;
      return this;
    }

    /** Llama's {@code attention_bias}; Qwen2 always has query/key/value biases. */
    public Builder attentionBias(boolean v) {
      attentionBias = v;
      return this;
    }

    public Builder maxPositions(int v) {
      maxPositions = v;
      return this;
    }

    public Builder specialTokens(int bos, List<Integer> eos) {
      bosTokenId = bos;
      eosTokenIds = eos;
      return this;
    }

    public TransformerConfig build() {
      boolean qwen = architecture.equals(QWEN2);
      return new TransformerConfig(
          architecture,
          vocabSize,
          hiddenSize,
          intermediateSize,
          layers,
          heads,
          kvHeads,
          hiddenSize / heads,
          rmsNormEps,
          ropeTheta,
          ropeScaling,
          tieWordEmbeddings,
          qwen || attentionBias,
          !qwen && attentionBias,
          maxPositions,
          bosTokenId,
          eosTokenIds);
    }
  }

  /** Reads and checks {@code config.json}. */
  public static TransformerConfig read(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(file, "not a JSON object");
    }
    try {
      return fromJson(root);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file, e.getMessage(), e);
    }
  }

  static TransformerConfig fromJson(JsonNode root) {
    JsonNode architectures = root.path("architectures");
    if (!architectures.isArray() || architectures.size() != 1) {
      throw new IllegalArgumentException(
          "architectures must name one of " + ARCHITECTURES + ", was " + architectures);
    }
    String architecture = architectures.get(0).asText();
    if (!ARCHITECTURES.contains(architecture)) {
      throw new IllegalArgumentException(
          "architecture " + architecture + " is not supported; Verity runs " + ARCHITECTURES);
    }
    refuseUnsupported(root, architecture);
    int hidden = positive(root, "hidden_size");
    int heads = positive(root, "num_attention_heads");
    int kvHeads =
        root.has("num_key_value_heads") && !root.get("num_key_value_heads").isNull()
            ? positive(root, "num_key_value_heads")
            : heads;
    int headDim;
    if (root.hasNonNull("head_dim")) {
      headDim = positive(root, "head_dim");
    } else {
      if (hidden % heads != 0) {
        throw new IllegalArgumentException(
            "hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
      }
      headDim = hidden / heads;
    }
    JsonNode rope = root.path("rope_parameters"); // newer transformers keep rotary keys here
    double theta =
        rope.hasNonNull("rope_theta")
            ? rope.get("rope_theta").asDouble()
            : root.path("rope_theta").asDouble(10_000.0);
    RopeScaling scaling = ropeScaling(rope.isObject() ? rope : root.path("rope_scaling"));
    boolean attentionBias = root.path("attention_bias").asBoolean(false);
    return new TransformerConfig(
        architecture,
        positive(root, "vocab_size"),
        hidden,
        positive(root, "intermediate_size"),
        positive(root, "num_hidden_layers"),
        heads,
        kvHeads,
        headDim,
        root.path("rms_norm_eps").asDouble(1e-6),
        theta,
        scaling,
        root.path("tie_word_embeddings").asBoolean(false),
        architecture.equals(QWEN2) || attentionBias,
        !architecture.equals(QWEN2) && attentionBias,
        root.path("max_position_embeddings").asInt(2048),
        root.path("bos_token_id").isInt() ? root.get("bos_token_id").asInt() : -1,
        tokenIds(root.path("eos_token_id")));
  }

  private static void refuseUnsupported(JsonNode root, String architecture) {
    String act = root.path("hidden_act").asText("silu");
    if (!act.equals("silu")) {
      throw new IllegalArgumentException("hidden_act " + act + " is not supported (only silu)");
    }
    if (root.path("mlp_bias").asBoolean(false)) {
      throw new IllegalArgumentException("mlp_bias true is not supported");
    }
    if (root.hasNonNull("quantization_config")) {
      throw new IllegalArgumentException(
          "quantization_config: quantized checkpoints are not supported");
    }
    if (architecture.equals(MISTRAL) && root.hasNonNull("sliding_window")) {
      throw new IllegalArgumentException(
          "sliding_window " + root.get("sliding_window") + " is not supported (set it to null)");
    }
    if (architecture.equals(QWEN2) && root.path("use_sliding_window").asBoolean(false)) {
      throw new IllegalArgumentException("use_sliding_window true is not supported");
    }
  }

  private static RopeScaling ropeScaling(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    String type =
        node.hasNonNull("rope_type")
            ? node.get("rope_type").asText()
            : node.path("type").asText("default");
    return switch (type) {
      case "default" -> null;
      case "linear" -> new RopeScaling(type, factor(node), 1, 1, 0);
      case "llama3" ->
          new RopeScaling(
              type,
              factor(node),
              node.path("low_freq_factor").asDouble(1.0),
              node.path("high_freq_factor").asDouble(4.0),
              node.path("original_max_position_embeddings").asInt(8192));
      default ->
          throw new IllegalArgumentException(
              "rope_scaling type " + type + " is not supported (default, linear, llama3)");
    };
  }

  private static double factor(JsonNode node) {
    double factor = node.path("factor").asDouble(0);
    if (!(factor > 0)) {
      throw new IllegalArgumentException(
          "rope_scaling factor must be positive, was " + node.path("factor"));
    }
    return factor;
  }

  private static List<Integer> tokenIds(JsonNode node) {
    List<Integer> ids = new ArrayList<>();
    if (node.isInt()) {
      ids.add(node.asInt());
    } else if (node.isArray()) {
      node.forEach(n -> ids.add(n.asInt()));
    }
    return ids;
  }

  private static int positive(JsonNode root, String key) {
    JsonNode node = root.get(key);
    if (node == null || !node.canConvertToInt() || node.asInt() <= 0) {
      throw new IllegalArgumentException(key + " must be a positive whole number, was " + node);
    }
    return node.asInt();
  }

  /** Query heads that share one key-value head. */
  public int queriesPerKeyValue() {
    return heads / kvHeads;
  }

  /**
   * The rotary inverse frequencies, one per pair of a head's dimensions, after any scaling, as
   * Hugging Face computes them (in fp32).
   */
  public float[] inverseFrequencies() {
    float[] inv = new float[headDim / 2];
    for (int i = 0; i < inv.length; i++) {
      float exponent = (float) (2 * i) / headDim;
      inv[i] = (float) (1.0 / Math.pow(ropeTheta, exponent));
    }
    if (ropeScaling == null) {
      return inv;
    }
    if (ropeScaling.type().equals("linear")) {
      for (int i = 0; i < inv.length; i++) {
        inv[i] = (float) (inv[i] / ropeScaling.factor());
      }
      return inv;
    }
    double factor = ropeScaling.factor();
    double oldContext = ropeScaling.originalMaxPositions();
    double lowFreqWavelength = oldContext / ropeScaling.lowFreqFactor();
    double highFreqWavelength = oldContext / ropeScaling.highFreqFactor();
    for (int i = 0; i < inv.length; i++) {
      double wavelength = 2 * Math.PI / inv[i];
      if (wavelength > lowFreqWavelength) {
        inv[i] = (float) (inv[i] / factor);
      } else if (wavelength >= highFreqWavelength) {
        double smooth =
            (oldContext / wavelength - ropeScaling.lowFreqFactor())
                / (ropeScaling.highFreqFactor() - ropeScaling.lowFreqFactor());
        inv[i] = (float) ((1 - smooth) * inv[i] / factor + smooth * inv[i]);
      }
    }
    return inv;
  }

  /** This configuration as a Hugging Face {@code config.json} would carry it. */
  public ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.putArray("architectures").add(architecture);
    root.put(
        "model_type",
        switch (architecture) {
          case QWEN2 -> "qwen2";
          case MISTRAL -> "mistral";
          default -> "llama";
        });
    root.put("vocab_size", vocabSize);
    root.put("hidden_size", hiddenSize);
    root.put("intermediate_size", intermediateSize);
    root.put("num_hidden_layers", layers);
    root.put("num_attention_heads", heads);
    root.put("num_key_value_heads", kvHeads);
    root.put("head_dim", headDim);
    root.put("hidden_act", "silu");
    root.put("rms_norm_eps", rmsNormEps);
    root.put("rope_theta", ropeTheta);
    if (ropeScaling != null) {
      ObjectNode rope = root.putObject("rope_scaling");
      rope.put("rope_type", ropeScaling.type());
      rope.put("factor", ropeScaling.factor());
      if (ropeScaling.type().equals("llama3")) {
        rope.put("low_freq_factor", ropeScaling.lowFreqFactor());
        rope.put("high_freq_factor", ropeScaling.highFreqFactor());
        rope.put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
      }
    }
    root.put("tie_word_embeddings", tieWordEmbeddings);
    if (!architecture.equals(QWEN2)) {
      root.put("attention_bias", qkvBias);
    }
    if (architecture.equals(MISTRAL)) {
      root.putNull("sliding_window");
    }
    if (architecture.equals(QWEN2)) {
      root.put("use_sliding_window", false);
    }
    root.put("max_position_embeddings", maxPositions);
    if (bosTokenId >= 0) {
      root.put("bos_token_id", bosTokenId);
    }
    if (eosTokenIds.size() == 1) {
      root.put("eos_token_id", eosTokenIds.get(0));
    } else if (!eosTokenIds.isEmpty()) {
      eosTokenIds.forEach(root.putArray("eos_token_id")::add);
    }
    root.put("torch_dtype", "float32");
    return root;
  }
}
