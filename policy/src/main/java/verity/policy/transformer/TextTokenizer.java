package verity.policy.transformer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's binding of the {@code tokenizers} library
 * (offline: its native library ships in the jar). Text goes in and ids come out exactly as Hugging
 * Face would produce them, special tokens as the tokenizer's post-processor adds them; no
 * truncation and no padding (the binding's defaults truncate at 512 tokens).
 */
public final class TextTokenizer implements AutoCloseable {
  public static final String FILE = "tokenizer.json";

  private final Path file;
  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private final Map<String, Integer> addedTokens;

  private TextTokenizer(
      Path file, HuggingFaceTokenizer tokenizer, int vocabSize, Map<String, Integer> addedTokens) {
    this.file = file;
    this.tokenizer = tokenizer;
    this.vocabSize = vocabSize;
    this.addedTokens = addedTokens;
  }

  /**
   * Loads {@code tokenizer.json} from a model directory.
   *
   * @throws CheckpointException naming the file when it is missing or not a tokenizer
   */
  public static TextTokenizer load(Path directory) {
    Path file = directory.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(file, "missing: a model directory needs its tokenizer");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointException(file, "not a tokenizer: " + e.getMessage(), e);
    }
    int highest = -1;
    JsonNode vocab = root.path("model").path("vocab");
    if (vocab.isObject()) {
      for (JsonNode id : vocab) {
        highest = Math.max(highest, id.asInt());
      }
    } else if (vocab.isArray()) {
      highest = vocab.size() - 1; // Unigram: a list of [piece, score], ids in order
    } else {
      throw new CheckpointException(file, "not a tokenizer: no model.vocab");
    }
    Map<String, Integer> added = new HashMap<>();
    for (JsonNode token : root.path("added_tokens")) {
      int id = token.path("id").asInt();
      added.put(token.path("content").asText(), id);
      highest = Math.max(highest, id);
    }
    try {
      HuggingFaceTokenizer tokenizer =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(file)
              .optTruncation(false)
              .optPadding(false)
              .optAddSpecialTokens(true)
              .build();
      return new TextTokenizer(file, tokenizer, highest + 1, Map.copyOf(added));
    } catch (IOException | RuntimeException e) {
      throw new CheckpointException(
          file, "the tokenizers library refused it: " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  /** One more than the highest id the tokenizer can produce (its vocabulary and added tokens). */
  public int vocabSize() {
    return vocabSize;
  }

  /** The id of an added (special) token such as {@code <|endoftext|>}, if the tokenizer has it. */
  public OptionalInt addedTokenId(String content) {
    Integer id = addedTokens.get(content);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** The ids of {@code text}, with the special tokens the post-processor adds when asked. */
  public int[] encode(String text, boolean addSpecialTokens) {
    long[] ids = tokenizer.encode(text, addSpecialTokens, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  /** The text of {@code ids}, special tokens left out when asked. */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    long[] wide = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      wide[i] = ids[i];
    }
    return tokenizer.decode(wide, skipSpecialTokens);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
