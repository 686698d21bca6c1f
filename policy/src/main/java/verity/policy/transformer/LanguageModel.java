package verity.policy.transformer;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face model directory as Verity uses it: the transformer and its tokenizer, checked
 * against each other, and written back as a directory Hugging Face {@code transformers} loads
 * ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}, {@code
 * tokenizer_config.json}, {@code generation_config.json}).
 */
public final class LanguageModel implements AutoCloseable {
  public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  public static final String GENERATION_CONFIG = "generation_config.json";

  /** The id of a fresh model's end-of-text token: the first after the 256 bytes. */
  public static final int FRESH_END_OF_TEXT = 256;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path source;
  private final TransformerModel model;
  private final TextTokenizer tokenizer;
  private final ObjectNode tokenizerConfig;

  private LanguageModel(
      Path source, TransformerModel model, TextTokenizer tokenizer, ObjectNode tokenizerConfig) {
    this.source = source;
    this.model = model;
    this.tokenizer = tokenizer;
    this.tokenizerConfig = tokenizerConfig;
  }

  /**
   * Loads a model directory: weights, tokenizer and, when present, {@code tokenizer_config.json}.
   *
   * @throws CheckpointException naming the file and the problem, among them a tokenizer whose
   *     vocabulary is larger than the model's embedding
   */
  public static LanguageModel load(Path directory, Device device) {
    if (!Files.isDirectory(directory)) {
      throw new CheckpointException(directory, "not a directory");
    }
    ObjectNode tokenizerConfig = readTokenizerConfig(directory.resolve(TOKENIZER_CONFIG));
    TextTokenizer tokenizer = TextTokenizer.load(directory);
    TransformerModel model;
    try {
      model = TransformerModel.load(directory, device);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
    try {
      checkVocabulary(tokenizer, model.config().vocabSize());
    } catch (CheckpointException e) {
      model.close();
      tokenizer.close();
      throw e;
    }
    return new LanguageModel(directory, model, tokenizer, tokenizerConfig);
  }

  /**
   * Writes a freshly initialized model with a byte-level tokenizer into {@code directory}: the
   * configuration's vocabulary must hold the 256 bytes and the end-of-text token (id 256).
   */
  public static void writeFresh(Path directory, TransformerConfig config, long seed)
      throws IOException {
    writeFresh(directory, config, seed, SafetensorsWriter.Dtype.F32);
  }

  /**
   * {@link #writeFresh(Path, TransformerConfig, long)} with the weights stored as {@code dtype}.
   */
  public static void writeFresh(
      Path directory, TransformerConfig config, long seed, SafetensorsWriter.Dtype dtype)
      throws IOException {
    if (config.vocabSize() < 257) {
      throw new IllegalArgumentException(
          "a fresh model's vocabulary holds 256 bytes and <|endoftext|>: vocab_size must be at"
              + " least 257, was "
              + config.vocabSize());
    }
    if (!config.eosTokenIds().equals(List.of(FRESH_END_OF_TEXT))) {
      throw new IllegalArgumentException(
          "a fresh model ends text with <|endoftext|>, id 256: eos_token_id must be [256], was "
              + config.eosTokenIds());
    }
    ByteLevelTokenizer.write(directory, List.of(ByteLevelTokenizer.END_OF_TEXT));
    try (TransformerModel model = TransformerModel.fresh(config, Device.cpu(), seed)) {
      model.save(directory, dtype);
    }
    writeTokenizerConfig(
        directory,
        null,
        ByteLevelTokenizer.END_OF_TEXT,
        ByteLevelTokenizer.END_OF_TEXT,
        config.maxPositions());
    writeGenerationConfig(directory, config);
  }

  /**
   * Writes a {@code tokenizer_config.json} for a tokenizer Verity made: {@code transformers} loads
   * {@code tokenizer.json} through its generic fast tokenizer with these special tokens.
   *
   * @param bos the begin-of-sequence token's text, or null when the tokenizer has none
   */
  static void writeTokenizerConfig(
      Path directory, String bos, String eos, String pad, int maxPositions) throws IOException {
    ObjectNode tokenizerConfig = JSON.createObjectNode();
    tokenizerConfig.put("tokenizer_class", "PreTrainedTokenizerFast");
    if (bos != null) {
      tokenizerConfig.put("bos_token", bos);
    }
    tokenizerConfig.put("eos_token", eos);
    tokenizerConfig.put("pad_token", pad);
    tokenizerConfig.put("model_max_length", maxPositions);
    write(directory.resolve(TOKENIZER_CONFIG), tokenizerConfig);
  }

  static void writeGenerationConfig(Path directory, TransformerConfig config) throws IOException {
    write(directory.resolve(GENERATION_CONFIG), generationConfig(config));
  }

  private static void checkVocabulary(TextTokenizer tokenizer, int embedding) {
    if (tokenizer.vocabSize() > embedding) {
      throw new CheckpointException(
          tokenizer.file(),
          "its vocabulary of "
              + tokenizer.vocabSize()
              + " tokens is larger than the model's embedding of "
              + embedding
              + " (config.json vocab_size)");
    }
  }

  private static ObjectNode readTokenizerConfig(Path file) {
    if (!Files.isRegularFile(file)) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(file.toFile());
      if (!(node instanceof ObjectNode object)) {
        throw new CheckpointException(file, "not a JSON object");
      }
      return object;
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  public TransformerModel model() {
    return model;
  }

  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * The chat template of {@code tokenizer_config.json}, when it has one, with the special tokens
   * that file names ({@code bos_token}, {@code eos_token}, ...) as the template's variables.
   */
  public Optional<ChatTemplate> chatTemplate() {
    return chatTemplate(tokenizerConfig);
  }

  private static Optional<ChatTemplate> chatTemplate(ObjectNode tokenizerConfig) {
    JsonNode template = tokenizerConfig.get("chat_template");
    if (template == null || !template.isTextual()) {
      return Optional.empty();
    }
    Map<String, String> special = new HashMap<>();
    for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
      JsonNode token = tokenizerConfig.get(key);
      if (token != null && token.isTextual()) {
        special.put(key, token.asText());
      } else if (token != null && token.path("content").isTextual()) {
        special.put(key, token.get("content").asText());
      }
    }
    return Optional.of(new ChatTemplate(template.asText(), special));
  }

  /**
   * The prompt ids of a user's text: through the chat template as one user turn followed by the
   * assistant's header when the model has a template and {@code useChatTemplate} (the template
   * writes the special tokens itself, as {@code transformers}' {@code apply_chat_template} does),
   * else the text with the special tokens the tokenizer adds.
   */
  public int[] promptIds(String text, boolean useChatTemplate) {
    return policyTokenizer(useChatTemplate).promptIds(text);
  }

  /** This model's tokenizer as a policy uses it; it lives as long as this model. */
  public ModelTokenizer policyTokenizer(boolean useChatTemplate) {
    return new ModelTokenizer(
        tokenizer, useChatTemplate ? chatTemplate() : Optional.empty(), model.config());
  }

  /**
   * A model directory's tokenizer without its weights (for a node that builds its policy's spec
   * before any replica exists): {@code config.json}, {@code tokenizer.json} and, when present,
   * {@code tokenizer_config.json}, checked against each other as {@link #load} does. Its native
   * tokenizer lives as long as the JVM.
   *
   * @throws CheckpointException naming the file and the problem
   */
  public static ModelTokenizer loadTokenizer(Path directory, boolean useChatTemplate) {
    if (!Files.isDirectory(directory)) {
      throw new CheckpointException(directory, "not a directory");
    }
    TransformerConfig config = TransformerConfig.read(directory.resolve(TransformerModel.CONFIG));
    ObjectNode tokenizerConfig = readTokenizerConfig(directory.resolve(TOKENIZER_CONFIG));
    TextTokenizer tokenizer = TextTokenizer.load(directory);
    checkVocabulary(tokenizer, config.vocabSize());
    Optional<ChatTemplate> template =
        useChatTemplate ? chatTemplate(tokenizerConfig) : Optional.empty();
    return new ModelTokenizer(tokenizer, template, config);
  }

  /**
   * Writes this model, with its current weights, as a Hugging Face directory: the tokenizer files
   * copied from where it was loaded, the weights in {@code dtype}.
   */
  public void export(Path directory, SafetensorsWriter.Dtype dtype) throws IOException {
    Files.createDirectories(directory);
    model.save(directory, dtype);
    Files.copy(
        tokenizer.file(),
        directory.resolve(TextTokenizer.FILE),
        StandardCopyOption.REPLACE_EXISTING);
    write(directory.resolve(TOKENIZER_CONFIG), tokenizerConfig);
    Path generation = source.resolve(GENERATION_CONFIG);
    if (Files.isRegularFile(generation)
        && !generation.equals(directory.resolve(GENERATION_CONFIG))) {
      Files.copy(
          generation, directory.resolve(GENERATION_CONFIG), StandardCopyOption.REPLACE_EXISTING);
    } else if (!Files.isRegularFile(directory.resolve(GENERATION_CONFIG))) {
      write(directory.resolve(GENERATION_CONFIG), generationConfig(model.config()));
    }
  }

  private static ObjectNode generationConfig(TransformerConfig config) {
    ObjectNode node = JSON.createObjectNode();
    if (config.bosTokenId() >= 0) {
      node.put("bos_token_id", config.bosTokenId());
    }
    if (config.eosTokenIds().size() == 1) {
      node.put("eos_token_id", config.eosTokenIds().get(0));
    } else if (!config.eosTokenIds().isEmpty()) {
      config.eosTokenIds().forEach(node.putArray("eos_token_id")::add);
    }
    node.put("do_sample", false);
    return node;
  }

  private static void write(Path file, JsonNode node) throws IOException {
    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
  }
}
