package verity.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One token per character of a suite's alphabet: ids 0, 1 and 2 are padding, begin-of-sequence and
 * end-of-sequence, the alphabet's characters follow in its order. The GRU's tokenizer, and a fresh
 * transformer's; written as a {@code tokenizer.json} (a BPE model without merges) when a fresh
 * transformer is exported, so Hugging Face's {@code tokenizers} reads the same ids.
 */
public final class CharacterTokenizer implements Tokenizer {
  public static final int PAD = 0;
  public static final int BOS = 1;
  public static final int EOS = 2;
  public static final List<String> SPECIALS = List.of("<pad>", "<bos>", "<eos>");

  private final List<String> tokens;
  private final Map<String, Integer> ids = new HashMap<>();

  /**
   * @param alphabet single characters, no duplicates
   * @throws IllegalArgumentException for an entry that is not one character, or a duplicate
   */
  public CharacterTokenizer(List<String> alphabet) {
    List<String> all = new ArrayList<>(SPECIALS);
    all.addAll(alphabet);
    this.tokens = List.copyOf(all);
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (i >= SPECIALS.size() && t.codePointCount(0, t.length()) != 1) {
        throw new IllegalArgumentException("alphabet entry '" + t + "' is not a single character");
      }
      if (ids.put(t, i) != null) {
        throw new IllegalArgumentException("duplicate alphabet entry '" + t + "'");
      }
    }
  }

  @Override
  public int vocabSize() {
    return tokens.size();
  }

  @Override
  public int padToken() {
    return PAD;
  }

  @Override
  public int bosToken() {
    return BOS;
  }

  @Override
  public int eosToken() {
    return EOS;
  }

  /** The alphabet this tokenizer was built from, in id order. */
  public List<String> alphabet() {
    return tokens.subList(SPECIALS.size(), tokens.size());
  }

  @Override
  public int[] encode(String text) {
    int[] out = new int[text.codePointCount(0, text.length())];
    int j = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      String c = new String(Character.toChars(cp));
      Integer id = ids.get(c);
      if (id == null || id < SPECIALS.size()) {
        throw new IllegalArgumentException(
            String.format(
                "character U+%04X at position %d is not in the alphabet of %d characters",
                cp, j, tokens.size() - SPECIALS.size()));
      }
      out[j++] = id;
      i += Character.charCount(cp);
    }
    return out;
  }

  /** Ids outside the vocabulary, padding and begin-of-sequence read as nothing. */
  @Override
  public String decode(int[] tokenIds) {
    StringBuilder sb = new StringBuilder();
    for (int t : tokenIds) {
      if (t == EOS) {
        break;
      }
      if (t >= SPECIALS.size() && t < tokens.size()) {
        sb.append(tokens.get(t));
      }
    }
    return sb.toString();
  }

  /**
   * Writes this tokenizer as {@code tokenizer.json} in {@code directory}: a BPE model whose
   * vocabulary is the alphabet and which has no merges (so it splits text into characters), the
   * three special tokens as added tokens, a post-processor that puts begin-of-sequence in front
   * (where a fresh policy puts it), and a decoder that joins tokens without spaces.
   */
  public void write(Path directory) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, Integer> vocabulary = new LinkedHashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      vocabulary.put(tokens.get(i), i);
    }
    Map<String, ObjectNode> pieces = new HashMap<>();
    pieces.put("post_processor", beginOfSequence(json));
    pieces.put("decoder", json.createObjectNode().put("type", "Fuse"));
    BpeTokenizerJson.write(directory, vocabulary, SPECIALS, 0, pieces);
  }

  /** Hugging Face's template post-processor: {@code <bos> $A} (and {@code <bos> $A $B}). */
  private static ObjectNode beginOfSequence(ObjectMapper json) {
    String bos = SPECIALS.get(BOS);
    ObjectNode node = json.createObjectNode();
    node.put("type", "TemplateProcessing");
    ArrayNode single = node.putArray("single");
    single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
    single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    ArrayNode pair = node.putArray("pair");
    pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
    ObjectNode special = node.putObject("special_tokens").putObject(bos);
    special.put("id", bos);
    special.putArray("ids").add(BOS);
    special.putArray("tokens").add(bos);
    return node;
  }
}
