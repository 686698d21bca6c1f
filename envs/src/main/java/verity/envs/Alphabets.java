package verity.envs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Builds a suite's {@link Suite#alphabet()} from the characters it writes in, in their order. */
public final class Alphabets {
  /** The printable ASCII characters, space to tilde, in code order. */
  public static final String PRINTABLE_ASCII = printableAscii();

  private Alphabets() {}

  /**
   * One entry per character of {@code characters}, in their order.
   *
   * @throws IllegalArgumentException when a character repeats: a character tokenizer would give it
   *     two ids
   */
  public static List<String> of(String characters) {
    List<String> out = new ArrayList<>(characters.length());
    Set<Character> seen = new HashSet<>();
    for (char c : characters.toCharArray()) {
      if (!seen.add(c)) {
        throw new IllegalArgumentException(
            "duplicate character U+" + String.format("%04X", (int) c) + " in an alphabet");
      }
      out.add(String.valueOf(c));
    }
    return List.copyOf(out);
  }

  private static String printableAscii() {
    StringBuilder sb = new StringBuilder();
    for (char c = ' '; c <= '~'; c++) {
      sb.append(c);
    }
    return sb.toString();
  }
}
