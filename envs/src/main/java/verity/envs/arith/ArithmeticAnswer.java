package verity.envs.arith;

import verity.envs.Vocabulary;

/** Parses a completion of digit tokens, ended by end-of-sequence or by the length limit. */
final class ArithmeticAnswer {
  /** More digits than any sum we generate has: anything longer is not an answer. */
  private static final int MAX_DIGITS = 9;

  private ArithmeticAnswer() {}

  /**
   * The integer the completion writes, or {@code null} when it is not a number: empty, a token
   * other than a digit before end-of-sequence, or too long.
   */
  static Integer parse(int[] completion, boolean reversed) {
    StringBuilder digits = new StringBuilder();
    for (int token : completion) {
      if (token == Vocabulary.EOS) {
        break;
      }
      String symbol =
          token >= 0 && token < ArithmeticSuite.VOCABULARY.size()
              ? ArithmeticSuite.VOCABULARY.token(token)
              : "";
      if (symbol.length() != 1 || !Character.isDigit(symbol.charAt(0))) {
        return null;
      }
      digits.append(symbol);
    }
    if (digits.length() == 0 || digits.length() > MAX_DIGITS) {
      return null;
    }
    if (reversed) {
      digits.reverse();
    }
    return Integer.parseInt(digits.toString());
  }
}
