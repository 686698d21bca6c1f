package verity.envs.gridworld;

import java.util.Arrays;
import java.util.List;
import verity.envs.Alphabets;

/**
 * The characters a gridworld with a given number of key/door pairs writes in, in the order of its
 * alphabet: the moves {@code N S W E} (a character tokenizer's ids 3 to 6), then the cells {@code .
 * # G @}, the "nothing" mark {@code -}, the keys {@code a..} and the doors {@code A..}. Every
 * symbol is one character, so an action log reads one character per turn.
 */
final class GridAlphabet {
  private static final String FIXED = "NSWE.#G@-";

  private final String characters;
  private final List<String> symbols;
  private final int pairs;

  GridAlphabet(int pairs) {
    if (pairs < 0 || pairs > GridLevel.MAX_PAIRS) {
      throw new IllegalArgumentException("pairs must be in 0.." + GridLevel.MAX_PAIRS);
    }
    this.pairs = pairs;
    StringBuilder sb = new StringBuilder(FIXED);
    for (int i = 0; i < pairs; i++) {
      sb.append((char) ('a' + i));
    }
    for (int i = 0; i < pairs; i++) {
      sb.append((char) ('A' + i));
    }
    this.characters = sb.toString();
    this.symbols = Alphabets.of(characters);
  }

  /** The alphabet, one character per entry. */
  List<String> symbols() {
    return symbols;
  }

  int pairs() {
    return pairs;
  }

  /** The moves, one character each, in the order of {@link GridAction}. */
  static List<String> moves() {
    return Arrays.stream(GridAction.values()).map(a -> String.valueOf(a.symbol())).toList();
  }

  /**
   * {@code c} itself, once it is known to be a symbol of this alphabet.
   *
   * @throws IllegalArgumentException for a character this alphabet lacks (a colour beyond its
   *     pairs)
   */
  char symbol(char c) {
    if (characters.indexOf(c) < 0) {
      throw new IllegalArgumentException("'" + c + "' is not a symbol of this gridworld");
    }
    return c;
  }
}
