package verity.envs.math;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One numeric answer as written, read exactly: integers, decimals, thousands separators, fractions
 * ({@code 3/4}, {@code \frac{3}{4}}, {@code 1 1/2}), percentages, a currency sign, a scale word
 * ({@code 2 million}) and trailing unit words, which are ignored. {@code number} is the value as
 * written: {@code 50%} has number 50 and {@code percent} set.
 */
record MathAnswer(String text, Rational number, boolean percent) {

  /** Longer than any final answer: such text is prose, and the regexes stay cheap. */
  static final int MAX_LENGTH = 200;

  private static final String DECIMAL = "(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?|\\.\\d+";
  private static final Pattern ANSWER =
      Pattern.compile(
          "(?<sign>[+-])?\\s*(?<currency>[$€£¥])?\\s*(?<sign2>[+-])?\\s*(?:"
              + "\\\\frac\\{\\s*(?<fracNum>[+-]?(?:"
              + DECIMAL
              + "))\\s*}\\{\\s*(?<fracDen>[+-]?(?:"
              + DECIMAL
              + "))\\s*}"
              + "|(?<whole>\\d+)\\s+(?<mixedNum>\\d+)\\s*/\\s*(?<mixedDen>\\d+)"
              + "|(?<num>"
              + DECIMAL
              + ")(?:\\s*/\\s*(?<den>"
              + DECIMAL
              + "))?)"
              + "(?<suffix>.*)",
          Pattern.DOTALL);

  private static final Pattern PERCENT = Pattern.compile("(?i)(?:%|percent\\b|per cent\\b|pct\\b)");
  private static final Pattern SCALE =
      Pattern.compile("(?i)(?<scale>hundred|thousand|million|billion|trillion)\\b");
  private static final Map<String, Integer> SCALE_EXPONENTS =
      Map.of("hundred", 2, "thousand", 3, "million", 6, "billion", 9, "trillion", 12);

  /**
   * Unit words after the number: at most three words of letters, such as {@code cm}, {@code
   * dollars}, {@code km/h}, {@code m^2}, {@code square feet}, {@code °C}. Digits only after a
   * caret, so that {@code 1e3} is not 1 with a unit.
   */
  private static final String UNIT_WORD =
      "(?:°[CFK]?|[A-Za-z]+\\.?(?:\\^[23]|²|³)?(?:/[A-Za-z]+(?:\\^[23]|²|³)?)?)";

  private static final Pattern UNIT = Pattern.compile(UNIT_WORD + "(?:\\s+" + UNIT_WORD + "){0,2}");

  /**
   * Suffixes that could be a unit or a change of scale ({@code 5k}, {@code $2M}, {@code 50 cents}).
   */
  private static final Set<String> AMBIGUOUS_UNITS =
      Set.of("k", "K", "M", "B", "bn", "mn", "mil", "mln", "cent", "cents", "¢", "p");

  /** Single letters that are common units; any other single letter reads as a variable. */
  private static final Set<String> SINGLE_LETTER_UNITS = Set.of("m", "g", "s", "h", "l", "L");

  /**
   * Reads {@code text} as one answer.
   *
   * @throws NumberFormatException saying why the text is not one number
   */
  static MathAnswer parse(String text) {
    if (text.length() > MAX_LENGTH) {
      throw new NumberFormatException("longer than " + MAX_LENGTH + " characters");
    }
    String s = AnswerText.normalize(text);
    if (s.isEmpty()) {
      throw new NumberFormatException("empty");
    }
    Matcher m = ANSWER.matcher(s);
    if (!m.matches()) {
      throw new NumberFormatException("not a number");
    }
    if (m.group("sign") != null && m.group("sign2") != null) {
      throw new NumberFormatException("two signs");
    }
    Rational value = core(m);
    String sign = m.group("sign") != null ? m.group("sign") : m.group("sign2");
    if ("-".equals(sign)) {
      value = value.negate();
    }
    Suffix suffix = suffix(m.group("suffix").strip(), m.group("currency") != null);
    if (suffix.scaleExponent > 0) {
      value = value.multiply(Rational.of(BigDecimal.ONE.scaleByPowerOfTen(suffix.scaleExponent)));
    }
    return new MathAnswer(text.strip(), value, suffix.percent);
  }

  private static Rational core(Matcher m) {
    try {
      if (m.group("fracNum") != null) {
        return decimal(m.group("fracNum")).divide(decimal(m.group("fracDen")));
      }
      if (m.group("whole") != null) {
        Rational fraction = decimal(m.group("mixedNum")).divide(decimal(m.group("mixedDen")));
        if (fraction.compareTo(Rational.of(1)) >= 0) {
          throw new NumberFormatException("not a mixed number: the fraction is not below 1");
        }
        return decimal(m.group("whole")).add(fraction);
      }
      Rational n = decimal(m.group("num"));
      return m.group("den") == null ? n : n.divide(decimal(m.group("den")));
    } catch (ArithmeticException e) {
      throw new NumberFormatException("division by zero");
    }
  }

  private static Rational decimal(String digits) {
    return Rational.of(new BigDecimal(digits.replace(",", "")));
  }

  private record Suffix(boolean percent, int scaleExponent) {}

  private static Suffix suffix(String rest, boolean afterCurrency) {
    boolean percent = false;
    int scale = 0;
    Matcher p = PERCENT.matcher(rest);
    if (p.lookingAt()) {
      percent = true;
      rest = rest.substring(p.end()).strip();
    } else {
      Matcher sc = SCALE.matcher(rest);
      if (sc.lookingAt()) {
        scale = SCALE_EXPONENTS.get(sc.group("scale").toLowerCase(Locale.ROOT));
        rest = rest.substring(sc.end()).strip();
      }
    }
    if (rest.isEmpty()) {
      return new Suffix(percent, scale);
    }
    if (AMBIGUOUS_UNITS.contains(rest)) {
      throw new NumberFormatException("'" + rest + "' could be a unit or a scale");
    }
    if (rest.length() == 1
        && Character.isLetter(rest.charAt(0))
        && (afterCurrency || !SINGLE_LETTER_UNITS.contains(rest))) {
      throw new NumberFormatException("'" + rest + "' after the number is not a unit");
    }
    if (!UNIT.matcher(rest).matches()) {
      throw new NumberFormatException("'" + rest + "' after the number is not a unit");
    }
    return new Suffix(percent, scale);
  }

  @Override
  public String toString() {
    return text;
  }
}
