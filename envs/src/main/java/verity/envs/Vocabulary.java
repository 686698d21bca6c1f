package verity.envs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A suite's token alphabet. Ids 0, 1 and 2 are always padding, begin-of-sequence and
 * end-of-sequence; the suite's symbols follow. Symbols are single strings; text is encoded
 * character by character.
 */
public final class Vocabulary {
  public static final int PAD = 0;
  public static final int BOS = 1;
  public static final int EOS = 2;

  private final List<String> tokens;
  private final Map<String, Integer> ids = new HashMap<>();

  public Vocabulary(List<String> symbols) {
    List<String> all = new ArrayList<>(List.of("<pad>", "<bos>", "<eos>"));
    all.addAll(symbols);
    this.tokens = List.copyOf(all);
    for (int i = 0; i < tokens.size(); i++) {
      if (ids.put(tokens.get(i), i) != null) {
        throw new IllegalArgumentException("duplicate token '" + tokens.get(i) + "'");
      }
    }
  }

  public int size() {
    return tokens.size();
  }

  public String token(int id) {
    return tokens.get(id);
  }

  /** The id of a symbol, or -1 when the vocabulary does not have it. */
  public int id(String symbol) {
    return ids.getOrDefault(symbol, -1);
  }

  /** Encodes text one character per token. */
  public int[] encode(String text) {
    int[] out = new int[text.length()];
    for (int i = 0; i < text.length(); i++) {
      int id = id(String.valueOf(text.charAt(i)));
      if (id < 0) {
        throw new IllegalArgumentException("'" + text.charAt(i) + "' is not in the vocabulary");
      }
      out[i] = id;
    }
    return out;
  }

  /** Decodes tokens up to (not including) the first end-of-sequence; special tokens are shown. */
  public String decode(int[] tokenIds) {
    StringBuilder sb = new StringBuilder();
    for (int t : tokenIds) {
      if (t == EOS) {
        break;
      }
      sb.append(t >= 0 && t < tokens.size() ? tokens.get(t) : "<?" + t + ">");
    }
    return sb.toString();
  }
}
