package verity.envs.gridworld;

import java.util.ArrayList;
import java.util.List;
import verity.envs.Vocabulary;

/**
 * The token alphabet of a gridworld with a given number of key/door pairs: the moves {@code N S W
 * E} (ids 3 to 6), then the cells {@code . # G @}, the "nothing" mark {@code -}, the keys {@code
 * a..} and the doors {@code A..}. Every symbol is one character, so an action log reads one
 * character per turn.
 */
public final class GridTokens {
  /** What a token that is no move of this suite reads as in an action log. */
  static final char NOT_A_SYMBOL = '?';

  private static final String FIXED = "NSWE.#G@-";

  private final Vocabulary vocabulary;
  private final int pairs;

  public GridTokens(int pairs) {
    if (pairs < 0 || pairs > GridLevel.MAX_PAIRS) {
      throw new IllegalArgumentException("pairs must be in 0.." + GridLevel.MAX_PAIRS);
    }
    this.pairs = pairs;
    List<String> symbols = new ArrayList<>();
    for (char c : FIXED.toCharArray()) {
      symbols.add(String.valueOf(c));
    }
    for (int i = 0; i < pairs; i++) {
      symbols.add(String.valueOf((char) ('a' + i)));
    }
    for (int i = 0; i < pairs; i++) {
      symbols.add(String.valueOf((char) ('A' + i)));
    }
    this.vocabulary = new Vocabulary(symbols);
  }

  public Vocabulary vocabulary() {
    return vocabulary;
  }

  public int pairs() {
    return pairs;
  }

  public int action(GridAction action) {
    return Vocabulary.EOS + 1 + action.ordinal();
  }

  /** The move a token stands for, or {@code null} when it is not a move. */
  public GridAction actionOf(int token) {
    int i = token - (Vocabulary.EOS + 1);
    return i >= 0 && i < GridAction.values().length ? GridAction.values()[i] : null;
  }

  /**
   * The id of a cell or mark symbol.
   *
   * @throws IllegalArgumentException for a symbol this vocabulary lacks (a colour beyond its pairs)
   */
  public int symbol(char c) {
    int id = vocabulary.id(String.valueOf(c));
    if (id < 0) {
      throw new IllegalArgumentException("'" + c + "' is not a token of this gridworld");
    }
    return id;
  }

  /**
   * One character per token: the token's symbol, or {@link #NOT_A_SYMBOL} for padding,
   * begin/end-of-sequence and ids outside the vocabulary, none of which is a move.
   */
  public String logText(int[] tokens) {
    StringBuilder sb = new StringBuilder(tokens.length);
    for (int t : tokens) {
      sb.append(t > Vocabulary.EOS && t < vocabulary.size() ? vocabulary.token(t) : NOT_A_SYMBOL);
    }
    return sb.toString();
  }
}
