package verity.envs.math;

import java.util.regex.Pattern;

/**
 * Strips the typesetting around an answer so that only the number and its unit are left: math
 * delimiters, {@code \boxed{}}, bold, {@code \text{}}, LaTeX spacing and escapes, a closing period,
 * and a leading {@code x =}.
 */
final class AnswerText {
  private static final Pattern TEXT_COMMAND =
      Pattern.compile("\\\\(?:text|textrm|textnormal|mathrm|mbox|textbf|mathbf)\\s*\\{([^{}]*)}");
  private static final Pattern DEGREES =
      Pattern.compile("\\^\\s*\\{?\\s*\\\\circ\\s*}?|\\\\circ|\\\\degree");
  private static final Pattern LATEX_SPACE = Pattern.compile("\\\\[,!;:]|~");
  private static final Pattern SIZING = Pattern.compile("\\\\(?:left|right|displaystyle)\\b");
  private static final Pattern TRAILING_PUNCTUATION = Pattern.compile("[.!?;:,]+$");
  private static final Pattern ASSIGNMENT = Pattern.compile("^[A-Za-z][A-Za-z_]*\\s*=\\s*");

  /** Pairs of delimiters that may wrap a whole answer. */
  private static final String[][] WRAPPERS = {
    {"$$", "$$"},
    {"$", "$"},
    {"\\(", "\\)"},
    {"\\[", "\\]"},
    {"**", "**"},
    {"`", "`"},
    {"\\boxed{", "}"},
    {"{", "}"}
  };

  private AnswerText() {}

  static String normalize(String text) {
    String s = text.replace('\u2212', '-').replace('\u00a0', ' ').replace('\u202f', ' ');
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
    s = s.replace("\\$", "$").replace("\\%", "%").replace("\\ ", " ");
    s = TEXT_COMMAND.matcher(s).replaceAll(" $1");
    s = DEGREES.matcher(s).replaceAll("°");
    s = LATEX_SPACE.matcher(s).replaceAll("");
    s = SIZING.matcher(s).replaceAll("");
    String before;
    do {
      before = s;
      s = s.strip();
      s = TRAILING_PUNCTUATION.matcher(s).replaceAll("");
      s = ASSIGNMENT.matcher(s).replaceAll("");
      s = unwrap(s);
    } while (!s.equals(before));
    return s;
  }

  private static String unwrap(String s) {
    for (String[] w : WRAPPERS) {
      if (s.length() >= w[0].length() + w[1].length() && s.startsWith(w[0]) && s.endsWith(w[1])) {
        String inner = s.substring(w[0].length(), s.length() - w[1].length());
        if (balanced(inner)) {
          return inner;
        }
      }
    }
    return s;
  }

  /** True when the braces in {@code s} pair up, so that stripping a wrapper kept it whole. */
  static boolean balanced(String s) {
    int depth = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth < 0) {
        return false;
      }
    }
    return depth == 0;
  }
}
