package verity.envs.dsl;

/**
 * A parsed stack-language program: its operations, one character each, and for every bracket the
 * position of its partner, so loops jump without searching.
 */
public final class DslProgram {
  private final String source;
  private final int[] partner;

  private DslProgram(String source, int[] partner) {
    this.source = source;
    this.partner = partner;
  }

  /**
   * Reads a program: one or more operations of {@link DslAlphabet#OPERATIONS}, at most {@code
   * maxLength}, brackets balanced.
   *
   * @throws DslSyntaxException naming the first problem
   */
  public static DslProgram parse(String text, int maxLength) throws DslSyntaxException {
    if (text.isEmpty()) {
      throw new DslSyntaxException("empty program");
    }
    if (text.length() > maxLength) {
      throw new DslSyntaxException(
          "program of " + text.length() + " operations, more than " + maxLength);
    }
    int[] partner = new int[text.length()];
    int[] open = new int[text.length()];
    int depth = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!DslAlphabet.isOperation(c)) {
        throw new DslSyntaxException("'" + c + "' at " + i + " is no operation");
      }
      if (c == '[') {
        open[depth++] = i;
      } else if (c == ']') {
        if (depth == 0) {
          throw new DslSyntaxException("']' at " + i + " closes no loop");
        }
        int start = open[--depth];
        partner[start] = i;
        partner[i] = start;
      }
    }
    if (depth > 0) {
      throw new DslSyntaxException("'[' at " + open[depth - 1] + " is never closed");
    }
    return new DslProgram(text, partner);
  }

  public String source() {
    return source;
  }

  int length() {
    return source.length();
  }

  char operation(int position) {
    return source.charAt(position);
  }

  /** The matching bracket of the bracket at {@code position}. */
  int partner(int position) {
    return partner[position];
  }

  @Override
  public String toString() {
    return source;
  }
}
