package verity.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} for a BPE model without merges, as the tokenizers Verity
 * writes for fresh models are: a vocabulary, special tokens as added tokens, and the normalizer,
 * pre-tokenizer, post-processor and decoder a caller chooses. Written with Jackson, field for field
 * as the {@code tokenizers} library serializes one, so the library reads it back.
 */
public final class BpeTokenizerJson {
  private BpeTokenizerJson() {}

  /**
   * Writes {@code directory/tokenizer.json}.
   *
   * @param vocabulary each token's text and id, in id order
   * @param specials the added special tokens, from id {@code firstSpecialId} on
   * @param pieces the {@code pre_tokenizer}, {@code post_processor} and {@code decoder} (null for
   *     none), by key
   */
  public static void write(
      Path directory,
      Map<String, Integer> vocabulary,
      List<String> specials,
      int firstSpecialId,
      Map<String, ObjectNode> pieces)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < specials.size(); i++) {
      ObjectNode token = added.addObject();
      token.put("id", firstSpecialId + i);
      token.put("content", specials.get(i));
      token.put("single_word", false);
      token.put("lstrip", false);
      token.put("rstrip", false);
      token.put("normalized", false);
      token.put("special", true);
    }
    root.putNull("normalizer");
    for (String key : List.of("pre_tokenizer", "post_processor", "decoder")) {
      if (pieces.get(key) == null) {
        root.putNull(key);
      } else {
        root.set(key, pieces.get(key));
      }
    }
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    ObjectNode vocab = model.putObject("vocab");
    vocabulary.forEach(vocab::put);
    model.putArray("merges");
    Files.createDirectories(directory);
    Files.writeString(
        directory.resolve("tokenizer.json"),
        json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }
}
