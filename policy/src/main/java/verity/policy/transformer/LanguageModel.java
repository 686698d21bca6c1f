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
    if (tokenizer.vocabSize() > model.config().vocabSize()) {
      int embedding = model.config().vocabSize();
      model.close();
      tokenizer.close();
      throw new CheckpointException(
          tokenizer.file(),
          "its vocabulary of "
              + tokenizer.vocabSize()
              + " tokens is larger than the model's embedding of "
              + embedding
              + " (config.json vocab_size)");
    }
    return new LanguageModel(directory, model, tokenizer, tokenizerConfig);
  }

  /**
   * Writes a freshly initialized model with a byte-level tokenizer into {@code directory}: the
   * configuration's vocabulary must hold the 256 bytes and the end-of-text token (id 256).
   */
  public static void writeFresh(Path directory, TransformerConfig config, long seed)
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
      model.save(directory, SafetensorsWriter.Dtype.F32);
    }
    ObjectNode tokenizerConfig = JSON.createObjectNode();
    tokenizerConfig.put("tokenizer_class", "PreTrainedTokenizerFast");
    tokenizerConfig.put("eos_token", ByteLevelTokenizer.END_OF_TEXT);
    tokenizerConfig.put("pad_token", ByteLevelTokenizer.END_OF_TEXT);
    tokenizerConfig.put("model_max_length", config.maxPositions());
    write(directory.resolve(TOKENIZER_CONFIG), tokenizerConfig);
    write(directory.resolve(GENERATION_CONFIG), generationConfig(config));
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
    Optional<ChatTemplate> template = useChatTemplate ? chatTemplate() : Optional.empty();
    if (template.isEmpty()) {
      return tokenizer.encode(text, true);
    }
    String rendered = template.get().render(List.of(new ChatTemplate.Message("user", text)), true);
    return tokenizer.encode(rendered, false);
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
