package verity.envs.dsl;

/**
 * Which inputs a task shows and which it keeps for the check, and how the shown ones are written in
 * the prompt: each example is {@code ±dd=±dd;} (sign, two digits, equals, sign, two digits,
 * separator), so every prompt has the same length and every number the same place.
 */
final class DslExamples {
  /** Shown in every prompt: enough to tell the families and their parameters apart. */
  static final long[] VISIBLE = {-2, 0, 1, 3};

  /** Never shown; a program must compute the function, not echo the examples. */
  static final long[] HIDDEN = {-11, -7, -4, -1, 2, 5, 8, 11};

  static final int CHARACTERS_PER_EXAMPLE = 8;

  private DslExamples() {}

  /** Characters in every prompt. */
  static int promptLength() {
    return VISIBLE.length * CHARACTERS_PER_EXAMPLE;
  }

  /**
   * @throws IllegalArgumentException when an example needs more than two digits (no family does)
   */
  static String prompt(DslFamily family, int[] params) {
    StringBuilder sb = new StringBuilder(promptLength());
    for (long x : VISIBLE) {
      sb.append(number(x)).append(DslAlphabet.EQUALS);
      sb.append(number(family.apply(params, x))).append(DslAlphabet.SEPARATOR);
    }
    return sb.toString();
  }

  private static String number(long v) {
    if (Math.abs(v) > 99) {
      throw new IllegalArgumentException(v + " does not fit in two digits");
    }
    long a = Math.abs(v);
    return (v < 0 ? "-" : "+") + (a < 10 ? "0" : "") + a;
  }
}
