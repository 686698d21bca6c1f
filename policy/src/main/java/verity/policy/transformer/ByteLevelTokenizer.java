package verity.policy.transformer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < specials.size(); i++) {
      ObjectNode token = added.addObject();
      token.put("id", 256 + i);
      token.put("content", specials.get(i));
      token.put("single_word", false);
      token.put("lstrip", false);
      token.put("rstrip", false);
      token.put("normalized", false);
      token.put("special", true);
    }
    root.putNull("normalizer");
    root.set("pre_tokenizer", byteLevel(json, true));
    root.set("post_processor", byteLevel(json, false));
    root.set("decoder", byteLevel(json, true));
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(Character.toChars(byteToChar(b))), b);
    }
    model.putArray("merges");
    Files.createDirectories(directory);
    Files.writeString(
        directory.resolve(TextTokenizer.FILE),
        json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
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
