package verity.policy.transformer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verity.policy.BpeTokenizerJson;

/**
 * The tokenizer of a fresh transformer: byte-level BPE as GPT-2, Qwen2 and Llama 3 define it (every
 * byte a token, under GPT-2's printable byte-to-character map), with no merges, so every text
 * round-trips and ids 0..255 are the bytes themselves; special tokens follow from 256. Written as a
 * {@code tokenizer.json} that Hugging Face's {@code tokenizers} loads.
 */
public final class ByteLevelTokenizer {
  private ByteLevelTokenizer() {}

  /** The end-of-text token every fresh tokenizer has first among its special tokens. */
  public static final String END_OF_TEXT = "<|endoftext|>";

  /** Writes {@code tokenizer.json} into {@code directory}: 256 bytes, then {@code specials}. */
  public static void write(Path directory, List<String> specials) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, Integer> vocabulary = new LinkedHashMap<>();
    for (int b = 0; b < 256; b++) {
      vocabulary.put(String.valueOf(Character.toChars(byteToChar(b))), b);
    }
    BpeTokenizerJson.write(
        directory,
        vocabulary,
        specials,
        256,
        Map.of(
            "pre_tokenizer", byteLevel(json, true),
            "post_processor", byteLevel(json, false),
            "decoder", byteLevel(json, true)));
  }

  private static ObjectNode byteLevel(ObjectMapper json, boolean trimOffsets) {
    ObjectNode node = json.createObjectNode();
    node.put("type", "ByteLevel");
    node.put("add_prefix_space", false);
    node.put("trim_offsets", trimOffsets);
    node.put("use_regex", true);
    return node;
  }

  /**
   * GPT-2's map from a byte to a printable character: printable Latin-1 bytes stand for themselves,
   * the others (controls, space, soft hyphen) for 256 and up, in byte order.
   */
  static int byteToChar(int b) {
    if ((b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff)) {
      return b;
    }
    int shifted = 0;
    for (int c = 0; c < b; c++) {
      if (!((c >= '!' && c <= '~') || (c >= 0xa1 && c <= 0xac) || (c >= 0xae && c <= 0xff))) {
        shifted++;
      }
    }
    return 256 + shifted;
  }
}
