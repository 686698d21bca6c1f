package verity.envs.arith;

/** Parses an arithmetic completion: nothing but decimal digits. */
final class ArithmeticAnswer {
  /** More digits than any sum we generate has: anything longer is not an answer. */
  private static final int MAX_DIGITS = 9;

  private ArithmeticAnswer() {}

  /**
   * The integer the completion writes, or {@code null} when it is not a number: empty, a character
   * other than a digit, or too long.
   */
  static Integer parse(String text, boolean reversed) {
    if (text.isEmpty() || text.length() > MAX_DIGITS) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    String digits = reversed ? new StringBuilder(text).reverse().toString() : text;
    return Integer.parseInt(digits);
  }
}
